// The first-start demo: push examples/hello to branch `develop` with the real git client
// and follow it through checkout → test → image build → registry push → deploy to dev.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Slipway } from '../server/slipway.ts';
import { commitAll, push } from '../git/client.ts';
import { paint, statusText } from './output.ts';
import { isDeploymentFinished } from '../core/types.ts';

const exampleDir = fileURLToPath(new URL('../../examples/hello', import.meta.url));

export async function runDemo(slipway: Slipway, log: (m: string) => void): Promise<void> {
  const { store } = slipway;
  const gitUrl = `${slipway.url}/git/hello.git`;
  if (await store.projects.get('hello')) {
    const state = (await store.deployments.allStates())[0];
    log(`demo: project "hello" exists already${state?.publish ? `; dev answers at http://127.0.0.1:${state.publish}` : ''}`);
    printNextSteps(slipway, log);
    return;
  }
  const work = await mkdtemp(join(tmpdir(), 'slipway-demo-'));
  try {
    await cp(exampleDir, work, { recursive: true });
    const sha = await commitAll(work, 'develop', 'hello: first version');
    log(`demo: git push ${gitUrl} develop   (commit ${sha.slice(0, 7)})`);
    await followRun(slipway, log, () => push(work, gitUrl, 'develop', slipway.adminToken));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  printNextSteps(slipway, log);
}

/** Prints each job and step as it changes, then the deployment, until the flow settles. */
async function followRun(slipway: Slipway, log: (m: string) => void, start: () => Promise<void>): Promise<void> {
  const { store, events } = slipway;
  const seen = new Map<string, string>();
  const note = (key: string, text: string) => {
    if (seen.get(key) === text) return;
    seen.set(key, text);
    log(text);
  };
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const onRun = async (runId: string) => {
    const run = await store.runs.get(runId);
    if (!run) return;
    for (const job of await store.runs.jobs(runId)) {
      for (const step of await store.runs.steps(job.id, job.attempt)) note(`${step.id}`, `  ${job.name} › ${step.name}: ${statusText(step.status)}`);
      note(job.id, `  job ${paint('bold', job.name)}: ${statusText(job.status)}`);
    }
    note(run.id, `run #${run.number} ${run.name}: ${statusText(run.status)}${run.error ? `\n${run.error}` : ''}`);
    if (run.status === 'failure' || run.status === 'cancelled') done();
  };
  const onDeployment = async (id: string) => {
    const d = await store.deployments.get(id);
    if (!d) return;
    note(`${d.id}`, `deployment #${d.number} to ${d.environment}: ${statusText(d.status)}${d.error ? ` — ${d.error}` : ''}`);
    if (isDeploymentFinished(d.status)) {
      for (const c of await store.logs.read(`deployment:${d.id}`)) process.stdout.write(paint('gray', c.text));
      done();
    }
  };
  const runListener = (id: string) => void onRun(id);
  const depListener = (id: string) => void onDeployment(id);
  events.on('run-updated', runListener);
  events.on('deployment-updated', depListener);
  try {
    await start();
    await finished;
  } finally {
    events.off('run-updated', runListener);
    events.off('deployment-updated', depListener);
  }
}

function printNextSteps(slipway: Slipway, log: (m: string) => void): void {
  log(`
  Slipway:      ${slipway.url}   (API under /api, registry under /v2)
  Dev service:  http://127.0.0.1:8081  (and /up for the commit it runs)
  Runs:         bin/slipway runs        Logs: bin/slipway logs hello#1
  Deployments:  bin/slipway deployments hello

  Push your own project (a .slipway/workflows/*.yml or .github/workflows/*.yml inside):
    git -c http.extraHeader="Authorization: Bearer $(cat ${slipway.config.dataDir}/admin.token)" \\
        push ${slipway.url}/git/<project>.git <branch>
  Ctrl-C stops Slipway; deployed containers keep running.`);
}
