// Reading the API's timestamps and the two logs whose lines carry timings (the run's step
// groups and the deployment's offsets).

/** ISO timestamp → epoch ms; a missing one is an error (the run or deployment is finished). */
export function ms(iso: string | null | undefined, what: string): number {
  if (!iso) throw new Error(`${what}: no timestamp`);
  return Date.parse(iso);
}

export interface StepLog {
  job: string;
  step: string;
  lines: string[];
}

/**
 * Splits `GET /api/runs/<id>/logs` into steps: jobs are headed `=== <job name> ===` and
 * steps are wrapped in `##[group]<step name>` … `##[endgroup]` (src/runner/job-runner.ts).
 */
export function splitRunLog(text: string): StepLog[] {
  const out: StepLog[] = [];
  let job = '';
  let current: StepLog | undefined;
  for (const line of text.split('\n')) {
    const header = /^=== (.*) ===$/.exec(line);
    if (header) job = header[1]!;
    else if (line.startsWith('##[group]')) out.push((current = { job, step: line.slice('##[group]'.length), lines: [] }));
    else if (line === '##[endgroup]') current = undefined;
    else current?.lines.push(line);
  }
  return out;
}

/** The `N` of a `<prefix> N ms` line (slipway/build-image prints `Built in` and `Pushed in`). */
export function loggedMs(lines: string[], prefix: string): number | undefined {
  for (const line of lines) {
    const m = new RegExp(`^${prefix} (\\d+) ms$`).exec(line.trim());
    if (m) return Number(m[1]);
  }
  return undefined;
}

export interface DeployLine {
  /** Milliseconds since the deployment started. */
  at: number;
  text: string;
}

/** Deployment log lines look like `[  1.234s] text` (src/deploy/deployment-log.ts). */
export function parseDeployLog(text: string): DeployLine[] {
  const out: DeployLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^\[\s*(\d+\.\d+)s\] (.*)$/.exec(line);
    if (m) out.push({ at: Math.round(Number(m[1]) * 1000), text: engineCommand(m[2]!) });
  }
  return out;
}

/**
 * A command run with a private file (src/deploy/targets/temp-file.ts) is logged as its sh script;
 * read it as the engine command inside (`$ podman pull …`), like every other command.
 */
function engineCommand(text: string): string {
  const script = /^\$ sh -c '.*?"\$engine" (\w+) .*' sh [\w.-]+ (\S+) (.*)$/.exec(text);
  return script ? `$ ${script[2]} ${script[1]} ${script[3]}` : text;
}

/** Offset of the first line matching `pattern`, or undefined. */
export function at(lines: DeployLine[], pattern: RegExp): number | undefined {
  return lines.find((l) => pattern.test(l.text))?.at;
}
