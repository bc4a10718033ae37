// The step supervisor: the job container's main process, a POSIX sh loop that runs each
// step as its own session (so one kill reaches everything the step started) when the host
// asks. A `podman exec` per step costs 100-300 ms of runtime set-up; a fork in a shell that
// is already running costs about as much as a process spawn, which is what a step is on a
// host runner (issue 9: per-step overhead ≤ 20 ms).
//
// Channels are FIFOs in the job's temp dir, mounted at `containerTemp`:
//   ctl     host → supervisor, one command a line: `run N`, `kill N TERM|KILL`, `alive N`
//   status  supervisor → host: `ready bash|sh`, `exit N CODE`, `alive N 0|1`
//   out-N   step N's stdout and stderr, one stream (as a log shows them)
// Step N's files: step-N.run (cd, env, exec the shell; written by the host), step-N.pid.

import { missingWorkdirMessage } from '../shell-command.ts';

export const containerTemp = '/__slipway/tmp';

/**
 * `tool` runs a helper applet (`setsid`, `sleep`): the mounted static busybox when the
 * host has one, so images without util-linux still work; else the image's own.
 */
export function supervisorScript(tool: string): string {
  const d = containerTemp;
  return `# Slipway step supervisor (see src/runner/executors/container/supervisor.ts).
exec 3<>${d}/ctl 4<>${d}/status </dev/null
if command -v bash >/dev/null 2>&1; then echo "ready bash" >&4; else echo "ready sh" >&4; fi
while read -r cmd n arg <&3; do
  case "$cmd" in
    run) (
        ${tool}setsid ${tool}sh ${d}/step-$n.run </dev/null >${d}/out-$n 2>&1 3<&- 4<&- &
        wait $!
        echo "exit $n $?" >&4
      ) & ;;
    kill) (
        # A kill can arrive before the step has written its pid.
        i=0; while [ ! -s ${d}/step-$n.pid ] && [ $i -lt 40 ]; do ${tool}sleep 0.05; i=$((i+1)); done
        read -r pid < ${d}/step-$n.pid && kill -s "$arg" "-$pid" 2>/dev/null
      ) & ;;
    alive)
      pid=; [ -s ${d}/step-$n.pid ] && read -r pid < ${d}/step-$n.pid
      if [ -n "$pid" ] && kill -0 "-$pid" 2>/dev/null; then echo "alive $n 1" >&4; else echo "alive $n 0" >&4; fi ;;
  esac
done
`;
}

const shellName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * Step N's wrapper: records its pid (the session and process-group id), enters the working
 * directory, sets the step's env and execs the step's shell. Values are in this 0600 file,
 * never on a command line. Names a shell cannot export (`INPUT_MY-INPUT`) go through
 * `env NAME=value`, as GitHub's runner passes them.
 */
export function stepWrapper(n: number, cwd: string, env: Record<string, string>, argv: string[]): string {
  const exported: string[] = [];
  const odd: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (shellName.test(name)) exported.push(`export ${name}=${quote(value)}`);
    else if (!name.includes('=') && name !== '') odd.push(quote(`${name}=${value}`));
  }
  return [
    `echo $$ > ${containerTemp}/step-${n}.pid`,
    // The directory is inside the container (an absolute one need not be on the host).
    `cd -- ${quote(cwd)} 2>/dev/null || { echo ${quote(missingWorkdirMessage(cwd))}; exit 1; }`,
    ...exported,
    `exec ${odd.length > 0 ? `env ${odd.join(' ')} ` : ''}${argv.map(quote).join(' ')}`,
    '',
  ].join('\n');
}
