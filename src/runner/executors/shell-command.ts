// Turns a step's `shell:` into the argv that runs its script file, as GitHub Actions does
// (docs: "jobs.<job_id>.steps[*].shell"): known names map to fixed templates and anything
// else must be a template containing `{0}`, the path of the script file.
import { SlipwayError } from '../../core/errors.ts';
import { tokenize } from '../../workflow/parse/shell-words.ts';

interface ShellPlan {
  /** argv with `{0}` still in place; see `shellArgv`. */
  template: string[];
  /** Extension for the script file; some interpreters care (pwsh needs `.ps1`). */
  extension: string;
}

const named: Record<string, ShellPlan> = {
  bash: { template: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'], extension: '.sh' },
  sh: { template: ['sh', '-e', '{0}'], extension: '.sh' },
  python: { template: ['python', '{0}'], extension: '.py' },
  pwsh: { template: ['pwsh', '-command', ". '{0}'"], extension: '.ps1' },
  powershell: { template: ['pwsh', '-command', ". '{0}'"], extension: '.ps1' },
};

/**
 * `defaultShell` is what an unspecified shell means: on hosts `bash -e {0}` when bash is
 * installed, else `sh -e {0}`; inside job containers always `sh -e {0}` (GitHub's note on
 * `jobs.<job_id>.container`).
 */
export function planShell(shell: string | undefined, defaultShell: 'bash' | 'sh'): ShellPlan {
  const trimmed = shell?.trim() ?? '';
  if (trimmed === '') {
    return defaultShell === 'bash'
      ? { template: ['bash', '-e', '{0}'], extension: '.sh' }
      : { template: ['sh', '-e', '{0}'], extension: '.sh' };
  }
  const known = named[trimmed];
  if (known) return known;
  if (!trimmed.includes('{0}')) {
    throw new SlipwayError(
      'WORKFLOW_INVALID',
      `unknown shell "${trimmed}": use bash, sh, python, pwsh or a command template containing {0}`,
    );
  }
  return { template: tokenize(trimmed), extension: '' };
}

/** Substitutes the script path for every `{0}` in the template. */
export function shellArgv(plan: ShellPlan, scriptPath: string): string[] {
  return plan.template.map((arg) => arg.replaceAll('{0}', scriptPath));
}

// The word grammar lives with the workflow parser, which checks `options:` with it at push time.
/** What both executors print when a step's working directory is missing (the step then exits 1). */
export function missingWorkdirMessage(cwd: string): string {
  return `##[error]The step's working-directory ${cwd} does not exist (a relative one is relative to the workspace).`;
}

export { tokenize } from '../../workflow/parse/shell-words.ts';
