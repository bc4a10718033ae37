// Where one push's lead time went, from the API's timestamps (runs, jobs, steps,
// deployments: ISO strings, ms resolution), the timings the build and deploy logs carry,
// and our own clock for when `git push` returned and when the dev URL first answered.
import type { DeploymentView, RunView } from '../../test/support/api-views.ts';
import { at, loggedMs, ms, parseDeployLog, splitRunLog } from './logs.ts';

/**
 * `path` rows add up to the lead time; `after` happens once the new version answers;
 * `detail` splits the deployment into the container-tool commands it ran.
 */
export type Group = 'path' | 'after' | 'detail' | 'summary';
export interface Row {
  group: Group;
  label: string;
  ms: number;
}
export interface Breakdown {
  sha: string;
  rows: Row[];
  /** Containers the deployment started (from its log), for the clean-up. */
  containers: string[];
}

export interface PushTiming {
  sha: string;
  pushReturned: number;
  answered: number;
}

const isCheckoutAction = (name: string) => /\bactions\/checkout@/.test(name);

export function breakdown(t: PushTiming, run: RunView, runLog: string, deployment: DeploymentView, deployLog: string): Breakdown {
  const rows: Row[] = [];
  const path = (label: string, value: number) => rows.push({ group: 'path', label, ms: value });
  const stepLogs = splitRunLog(runLog);
  let userMs = 0;
  let buildMs = 0;

  const firstJob = run.jobs[0];
  if (!firstJob) throw new Error(`run ${run.id} has no jobs`);
  path('queue wait (push returned → 1st job started)', ms(firstJob.startedAt, 'job') - t.pushReturned);
  let previousEnd: number | undefined;
  for (const job of run.jobs) {
    const start = ms(job.startedAt, `job ${job.key}`);
    const end = ms(job.finishedAt, `job ${job.key}`);
    if (previousEnd !== undefined) path(`between jobs (→ ${job.key} started)`, start - previousEnd);
    previousEnd = end;
    const steps = job.steps.filter((s) => s.status !== 'skipped');
    if (steps.length === 0) {
      path(`${job.key}: whole job (no steps)`, end - start);
      continue;
    }
    path(`${job.key}: checkout (job start → 1st step)`, ms(steps[0]!.startedAt, 'step') - start);
    let stepsMs = 0;
    for (const step of steps) {
      const d = ms(step.finishedAt, step.name) - ms(step.startedAt, step.name);
      stepsMs += d;
      const lines = stepLogs.find((s) => s.job === job.key && s.step === step.name)?.lines ?? [];
      const built = loggedMs(lines, 'Built in');
      if (built !== undefined) {
        const pushed = loggedMs(lines, 'Pushed in') ?? 0;
        buildMs += built;
        path(`${job.key}: image build`, built);
        path(`${job.key}: registry push`, pushed);
        path(`${job.key}: build-image step, rest`, d - built - pushed);
      } else if (isCheckoutAction(step.name)) {
        path(`${job.key}: actions/checkout step`, d);
      } else {
        userMs += d;
        path(`${job.key}: user step "${step.name}"`, d);
      }
    }
    path(`${job.key}: between steps + teardown`, end - ms(steps[0]!.startedAt, 'step') - stepsMs);
  }
  const runEnd = ms(run.finishedAt, 'run');
  path('last job finished → run finished', runEnd - previousEnd!);
  const deployStart = ms(deployment.startedAt, 'deployment');
  path('run finished → deployment started', deployStart - runEnd);

  const lines = parseDeployLog(deployLog);
  const mark = (pattern: RegExp) => {
    const v = at(lines, pattern);
    if (v === undefined) throw new Error(`deployment ${deployment.id}: no log line matching ${pattern}\n${deployLog}`);
    return v;
  };
  const deploying = mark(/^==> deploying /);
  const listOld = mark(/^\$ \S+ ps /);
  const waiting = mark(/^waiting for /);
  const healthy = mark(/^healthy after /);
  const switched = mark(/^switched traffic /);
  path('deploy: prepare (config, proxy)', deploying);
  const pull = at(lines, /^\$ \S+ pull /);
  path('deploy: image check (present?)', (pull ?? listOld) - deploying);
  path('deploy: image pull', pull === undefined ? 0 : listOld - pull);
  path('deploy: list old + start container', waiting - listOld);
  path('deploy: health check wait', healthy - waiting);
  path('deploy: switch', switched - healthy);
  path('switched → dev URL answered (poll)', t.answered - (deployStart + switched));

  const total = t.answered - t.pushReturned;
  const accounted = rows.reduce((sum, r) => sum + r.ms, 0);
  path('(unaccounted)', total - accounted);

  const after = (label: string, value: number) => rows.push({ group: 'after', label, ms: value });
  const stopping = at(lines, /^stopping /);
  const done = mark(/^==> \S+ now runs /);
  const draining = at(lines, /^draining /);
  after('deploy: drain old', draining === undefined ? 0 : (stopping ?? done) - draining);
  after('deploy: stop + remove old', stopping === undefined ? 0 : done - stopping);
  after('deploy: total (start → finished)', ms(deployment.finishedAt, 'deployment') - deployStart);

  const summary = (label: string, value: number) => rows.push({ group: 'summary', label, ms: value });
  summary('TOTAL lead time (push returned → new SHA answered)', total);
  summary('user steps', userMs);
  summary('image build', buildMs);
  summary('platform overhead (total − user steps − image build; target < 1000)', total - userMs - buildMs);
  summary('first job start latency (target < 100)', ms(firstJob.startedAt, 'job') - t.pushReturned);
  summary('  of which push returned → run created', ms(run.createdAt, 'run') - t.pushReturned);

  // Each container-tool command the deployment ran: from its `$ …` line to the next line
  // that is not the command's own output (the next command or an engine step).
  const detail = (label: string, value: number) => rows.push({ group: 'detail', label, ms: value });
  const seen = new Map<string, number>();
  const engineStep = /^(\$ |started |waiting for |healthy after |switched traffic |draining |stopping |removing |==> |Serving at |Deployment failed)/;
  lines.forEach((l, i) => {
    const m = /^\$ (\S+) (\S+)(?: (\S+))?/.exec(l.text);
    const next = lines.slice(i + 1).find((n) => engineStep.test(n.text));
    if (!m || !next) return;
    const sub = ['image', 'container'].includes(m[2]!) ? `${m[2]} ${m[3]}` : m[2]!;
    const n = (seen.get(sub) ?? 0) + 1;
    seen.set(sub, n);
    detail(`${m[1]} ${sub}${n > 1 ? ` (${n})` : ''}${l.at >= switched ? ' [after switch]' : ''}`, next.at - l.at);
  });

  const containers = lines.map((l) => /^started (\S+) on /.exec(l.text)?.[1]).filter((c): c is string => c !== undefined);
  return { sha: t.sha, rows, containers };
}
