// `slipway lint [paths...]`: checks workflows (and the reusable workflows they call) and
// `.slipway/deploy.yml` before anything runs, reporting every problem at once as
// `file:line:col: path: message`. Runs offline: no server is needed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { Command } from '../command.ts';
import { CliError } from '../client.ts';
import type { Diagnostic } from '../../core/errors.ts';
import { formatDiagnostic } from '../../core/errors.ts';
import { deployConfigFile } from '../../deploy/config/deploy-config.ts';
import { parseDeployConfig } from '../../deploy/config/parse-deploy-config.ts';
import { githubWorkflowDir, slipwayWorkflowDir } from '../../workflow/load.ts';
import { localWorkflowFiles } from '../local-workflows.ts';
import { parseWorkflow } from '../../workflow/parse/parse-workflow.ts';
import type { Workflow } from '../../workflow/model.ts';
import { loadCalledWorkflows } from '../../workflow/plan/reusable.ts';
import { configuredLabels, labelWarnings } from '../lint-labels.ts';
import { dataDir } from '../paths.ts';

export const lintCommand: Command = {
  name: 'lint',
  summary: 'check workflows and deploy.yml for errors, without running anything',
  usage: '[paths...] [--json]',
  help: `  paths          workflow files, deploy.yml files, or repository directories
                 (default: the current directory's workflows and ${deployConfigFile})
  --json         print { files, diagnostics, warnings } as JSON
  Warns (without failing) when a job's runs-on has a label no runner.labels entry offers
  (SLIPWAY_DATA's config.yml, else the built-in defaults).`,
  options: { json: { type: 'boolean' } },
  async run(values, positionals) {
    const cwd = process.cwd();
    const targets = positionals.length > 0 ? positionals.flatMap((p) => expand(resolve(cwd, p))) : repositoryFiles(cwd);
    if (targets.length === 0) {
      throw new CliError(`nothing to lint: no ${slipwayWorkflowDir}/*.yml, ${githubWorkflowDir}/*.yml or ${deployConfigFile} in ${positionals[0] ?? cwd}`);
    }
    const diagnostics: Diagnostic[] = [];
    const warnings: Diagnostic[] = [];
    const labels = configuredLabels(dataDir());
    for (const target of targets) diagnostics.push(...(await lintFile(target, cwd, (w, called) => warnings.push(...labelWarnings(w, labels, called)))));
    const unique = [...new Map(diagnostics.map((d) => [formatDiagnostic(d), d])).values()];
    const files = targets.map((t) => relative(cwd, t.file) || t.file);
    if (values.json) {
      console.log(JSON.stringify({ files, diagnostics: unique, warnings }, null, 2));
    } else {
      for (const d of unique) console.log(formatDiagnostic(d));
      for (const w of warnings) console.log(`${formatDiagnostic(w)} (warning)`);
      const n = unique.length;
      const warned = warnings.length === 0 ? '' : `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
      const summary = `${n === 0 ? 'no errors' : `${n} error${n === 1 ? '' : 's'}`}${warned} in ${files.length} file${files.length === 1 ? '' : 's'}`;
      if (n === 0) console.log(`${summary} (${files.join(', ')})`);
      else console.error(summary);
    }
    return unique.length > 0 ? 1 : 0;
  },
};

interface Target {
  /** Absolute path. */
  file: string;
  kind: 'workflow' | 'deploy';
  /** The repository root the file belongs to: called workflows are resolved against it. */
  root: string;
}

/** The workflows of a repository directory (as a push would pick them) and its deploy.yml. */
function repositoryFiles(root: string): Target[] {
  const targets: Target[] = localWorkflowFiles(root).map((f) => ({ file: join(root, f), kind: 'workflow', root }));
  if (existsSync(join(root, deployConfigFile))) targets.push({ file: join(root, deployConfigFile), kind: 'deploy', root });
  return targets;
}

function expand(path: string): Target[] {
  if (!existsSync(path)) throw new CliError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) return repositoryFiles(path);
  const isDeploy = path.endsWith(`${sep}deploy.yml`) || path.endsWith(`${sep}deploy.yaml`);
  return [{ file: path, kind: isDeploy ? 'deploy' : 'workflow', root: rootOf(path) }];
}

/** `/repo/.github/workflows/ci.yml` → `/repo`; otherwise the current directory. */
function rootOf(file: string): string {
  for (const dir of [slipwayWorkflowDir, githubWorkflowDir, '.slipway']) {
    const marker = `${sep}${dir.split('/').join(sep)}${sep}`;
    const at = file.lastIndexOf(marker);
    if (at >= 0) return file.slice(0, at);
  }
  return process.cwd();
}

/** `parsedWorkflow` receives each workflow that parsed, for checks that only warn. */
async function lintFile(target: Target, cwd: string, parsedWorkflow: (w: Workflow, called: Record<string, Workflow>) => void): Promise<Diagnostic[]> {
  const shown = relative(cwd, target.file) || target.file;
  const text = readFileSync(target.file, 'utf8');
  if (target.kind === 'deploy') return parseDeployConfig(shown, text).diagnostics;
  const parsed = parseWorkflow(shown, text);
  if (!parsed.workflow) return parsed.diagnostics;
  // Called workflows are named by repository path; show them relative to where we are.
  const { called, diagnostics } = await loadCalledWorkflows(parsed.workflow, async (path) => {
    try {
      return await readFile(join(target.root, path), 'utf8');
    } catch {
      return undefined;
    }
  });
  if (diagnostics.length === 0) parsedWorkflow(parsed.workflow, called);
  const repoPrefix = relative(cwd, target.root);
  return diagnostics.map((d) => (d.file === shown || !repoPrefix ? d : { ...d, file: join(repoPrefix, d.file) }));
}
