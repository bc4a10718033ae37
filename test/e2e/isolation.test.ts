// Issue 9, "Why": a member pushes a workflow whose steps try every compromise a job could
// once do on the Slipway host — read the admin token, the secrets key, the database and the
// runner's token; list and write other projects' repositories (a post-receive hook); reach
// the container engine and exec into another project's container; see the server's
// environment; leave a setsid process behind — and a `-v DATA:/x` in container.options. Each
// must fail from inside the job, on the host executor (runner.host: true, `runs-on: host`)
// and in a job container, while an ordinary job still passes. Real server, git, podman.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startSlipway, type Slipway } from '../../src/server/slipway.ts';
import { gitAuthEnv } from '../../src/git/client.ts';
import { busyboxImage, ensureBusyboxImage } from '../../src/build/base-image.ts';
import { eventually, sleepers, uniqueSeconds } from '../../src/runner/executors/contract-support.ts';
import { git, podman, removeDir, waitFor } from '../support/harness.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The jobs that run the attempts, by name. When jobs run in containers by default (the
 * container executor's half of issue 9), add `default: 'runs-on: ubuntu-latest'`: the same
 * attempts must fail there too.
 */
const jobsUnderTest: Record<string, string> = {
  host: 'runs-on: [self-hosted, host]',
  container: `runs-on: ubuntu-latest\n    container: ${busyboxImage}`,
};

/** Every attempt prints `ESCAPED <what>` when it worked and `blocked <what>: <why>` when not. */
const attempts = (data: string, serverPort: number) => `
attempt() {
  what=$1; shift
  if sh -c "$*" > "$RUNNER_TEMP/attempt.out" 2>&1; then
    echo "ESCAPED $JOB $what: $(head -c 300 "$RUNNER_TEMP/attempt.out" | tr '\\n' ' ')"
  else
    echo "blocked $JOB $what: $(head -c 200 "$RUNNER_TEMP/attempt.out" | tr '\\n' ' ')"
  fi
}
attempt read-admin-token "cat ${data}/admin.token"
attempt read-secrets-key "cat ${data}/secrets.key"
attempt read-database "head -c 16 ${data}/slipway.db"
attempt list-repositories "ls ${data}/git"
attempt plant-hook "echo 'touch /tmp/pwned' > ${data}/git/victim.git/hooks/post-receive"
attempt podman-ps "podman ps -a --format '{{.Names}}' | grep victim-prod"
attempt podman-exec "podman exec victim-prod cat /etc/hostname"
attempt engine-socket "test -w /run/podman/podman.sock || test -w /var/run/docker.sock || test -w /run/docker.sock"
attempt server-environment "env | grep SLIPWAY_E2E_SERVER_ONLY"
if [ "$JOB" = container ]; then
  # The job reaches Slipway through the forwarder on its network's gateway, and nothing
  # else there: the server itself listens on the host's loopback only.
  gw=$(echo "$GITHUB_SERVER_URL" | sed 's|^http://||; s|:.*$||')
  attempt server-port-on-gateway "wget -qO- http://$gw:${serverPort}/healthz"
  wget -qO- "$GITHUB_SERVER_URL/healthz" | grep -q true && echo "forwarder reaches slipway $JOB"
fi
`;

const workflow = (data: string, leftover: Record<string, number>) => `on: push
jobs:
${Object.entries(jobsUnderTest).map(([name, runsOn]) => `  ${name}:
    ${runsOn}
    env: { JOB: ${name} }
    steps:
      - name: try every compromise
        run: sh ./attempts.sh
      - name: leave a process behind
        run: setsid sleep ${leftover[name]} > /dev/null 2>&1 < /dev/null &
      - name: an ordinary step still works
        run: |
          test "$(cat hello.txt)" = hello
          echo built > out.txt && echo "made=yes" >> "$GITHUB_OUTPUT"
          echo "ordinary $JOB ok"
      - name: link the data dir into the workspace
        run: ln -s ${data} linked-data
      - name: upload the data dir as an artifact, by path and through the link
        uses: actions/upload-artifact@v4
        with:
          name: data-\${{ github.job }}
          path: |
            ${data}
            linked-data
      - name: swap the command files for links to the admin token
        continue-on-error: true
        run: |
          ln -sf ${data}/admin.token "$GITHUB_ENV" && ln -sf ${data}/admin.token "$GITHUB_STEP_SUMMARY" || echo "blocked $JOB swap-command-files"
`).join('')}`;

const mountWorkflow = (data: string) => `on: push
jobs:
  mount:
    runs-on: ubuntu-latest
    container:
      image: ${busyboxImage}
      options: -v ${data}:/x
    steps:
      - run: cat /x/admin.token
`;

interface RunView { id: string; status: string; error?: string | null; jobs: { key: string; status: string }[] }

let slipway: Slipway;
let dataDir = '';
const repos: string[] = [];
const victimContainer = 'victim-prod';

async function push(project: string, files: Record<string, string>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `slipway-isolation-${project}-`));
  repos.push(dir);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'push');
  await exec('git', ['push', '-q', `${slipway.url}/git/${project}.git`, 'HEAD:refs/heads/main'], { cwd: dir, env: gitAuthEnv(slipway.adminToken) });
}

const api = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${slipway.url}${path}`, { headers: { authorization: `Bearer ${slipway.adminToken}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

async function finishedRun(project: string): Promise<RunView> {
  return waitFor(`run ${project}#1`, async () => {
    const run = await api<RunView>(`/api/runs/${project}%231`).catch(() => undefined);
    return run && ['success', 'failure', 'cancelled'].includes(run.status) ? run : undefined;
  }, 120_000);
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

before(async () => {
  await ensureBusyboxImage(busyboxImage);
  dataDir = await mkdtemp(join(tmpdir(), 'slipway-isolation-'));
  // A data dir someone left open: start-up must close it, whatever it was.
  await chmod(dataDir, 0o777);
  await writeFile(join(dataDir, 'config.yml'), 'runner:\n  host: true\n  allowOptions: [--cap-add]\n');
  // What the server's own environment holds must never reach a step.
  process.env.SLIPWAY_E2E_SERVER_ONLY = 'server-environment-value';
  slipway = await startSlipway({ dataDir, port: 0, env: {}, log: () => {} });
  // Another project: a repository, and a running container of its own.
  await push('victim', { 'README.md': 'victim\n' });
  await podman('rm', '--force', '--ignore', victimContainer);
  await podman('run', '--detach', '--name', victimContainer, '--label', 'slipway.project=victim', busyboxImage, 'sleep', '600');
});

after(async () => {
  delete process.env.SLIPWAY_E2E_SERVER_ONLY;
  await slipway?.close();
  await podman('rm', '--force', '--ignore', '--time', '0', victimContainer);
  for (const dir of [...repos, dataDir]) await removeDir(dir);
});

test('the data dir and its credentials are private after start-up, whatever their modes were', async () => {
  assert.equal(await mode(dataDir), 0o700);
  for (const f of ['slipway.db', 'admin.token', 'secrets.key']) assert.equal(await mode(join(dataDir, f)), 0o600, f);
});

test('every compromise from issue 9 fails from inside the job; the ordinary steps pass', { timeout: 180_000 }, async () => {
  const adminToken = await readFile(join(dataDir, 'admin.token'), 'utf8');
  const leftover = Object.fromEntries(Object.keys(jobsUnderTest).map((name) => [name, uniqueSeconds()]));
  await push('mallory', { '.slipway/workflows/ci.yml': workflow(dataDir, leftover), 'attempts.sh': attempts(dataDir, slipway.port), 'hello.txt': 'hello\n' });
  const run = await finishedRun('mallory');
  const logs = await fetch(`${slipway.url}/api/runs/${run.id}/logs`, { headers: { authorization: `Bearer ${slipway.adminToken}` } }).then((r) => r.text());

  assert.equal(run.status, 'success', logs);
  assert.doesNotMatch(logs, /ESCAPED/, 'no attempt may succeed');
  for (const job of Object.keys(jobsUnderTest)) {
    for (const what of ['read-admin-token', 'read-secrets-key', 'read-database', 'list-repositories', 'plant-hook', 'podman-ps', 'podman-exec', 'engine-socket', 'server-environment']) {
      assert.match(logs, new RegExp(`blocked ${job} ${what}`), `${job}: ${what} was tried and failed`);
    }
    assert.match(logs, new RegExp(`ordinary ${job} ok`));
  }
  assert.match(logs, /blocked container server-port-on-gateway/);
  assert.match(logs, /forwarder reaches slipway container/);
  // Nothing secret reached the log, whatever a step printed.
  for (const f of ['admin.token', 'secrets.key']) assert.equal(logs.includes((await readFile(join(dataDir, f), 'utf8')).trim()), false, f);
  assert.doesNotMatch(logs, /server-environment-value/);
  // The built-in actions read as root, but only inside the job's own directories.
  assert.equal(logs.match(new RegExp(`No files were found with the provided path: ${dataDir}, linked-data`, 'g'))?.length, Object.keys(jobsUnderTest).length, logs);
  // A command file swapped for a link is refused by the runner, which reads them as root.
  assert.match(logs, /blocked host swap-command-files/);
  assert.match(logs, /=== container ===[^]*env was replaced by a symbolic link; the runner does not follow it/);
  assert.equal(await readFile(join(dataDir, 'admin.token'), 'utf8'), adminToken, 'the admin token was neither read nor emptied');
  assert.equal(existsSync(join(dataDir, 'git/victim.git/hooks/post-receive')), false, 'no hook was planted');
  // The victim's container is untouched, and every job's leftover process is gone.
  assert.equal(await podman('inspect', '--format', '{{.State.Status}}', victimContainer), 'running');
  for (const [job, seconds] of Object.entries(leftover)) {
    await eventually(async () => (await sleepers(seconds)).length === 0, 10_000, `the ${job} job's setsid sleep to be killed`);
  }
});

test('container.options: -v DATA:/x fails the run before anything starts, naming file, line and option', { timeout: 60_000 }, async () => {
  await push('mounter', { '.slipway/workflows/mount.yml': mountWorkflow(dataDir) });
  const run = await finishedRun('mounter');
  assert.equal(run.status, 'failure');
  assert.deepEqual(run.jobs.map((j) => j.status).filter((s) => s !== 'skipped' && s !== 'failure'), [], 'no job ran');
  assert.match(run.error ?? '', new RegExp(`\\.slipway/workflows/mount\\.yml:7:\\d+: jobs\\.mount\\.container\\.options: -v ${dataDir}:/x is not allowed \\(it mounts the host path ${dataDir};`));
});

test('an option the admin lists in runner.allowOptions passes, and the job runs with it', { timeout: 60_000 }, async () => {
  const allowed = `on: push
jobs:
  nice:
    runs-on: ubuntu-latest
    container:
      image: ${busyboxImage}
      options: --cap-add SYS_NICE --cpus 1
    steps:
      - run: test $(( 0x$(grep CapEff /proc/self/status | cut -f2) & 0x800000 )) -ne 0 && echo "has CAP_SYS_NICE"
`;
  await push('allowed', { '.slipway/workflows/nice.yml': allowed });
  const run = await finishedRun('allowed');
  const logs = await fetch(`${slipway.url}/api/runs/${run.id}/logs`, { headers: { authorization: `Bearer ${slipway.adminToken}` } }).then((r) => r.text());
  assert.equal(run.status, 'success', `${run.error ?? ''}\n${logs}`);
  assert.match(logs, /has CAP_SYS_NICE/);
});

test('a restart makes a loosened data dir private again', { timeout: 60_000 }, async () => {
  await slipway.close();
  await chmod(dataDir, 0o755);
  for (const f of ['slipway.db', 'admin.token', 'secrets.key']) await chmod(join(dataDir, f), 0o644);
  slipway = await startSlipway({ dataDir, port: 0, env: {}, log: () => {} });
  assert.equal(await mode(dataDir), 0o700);
  for (const f of ['slipway.db', 'admin.token', 'secrets.key']) assert.equal(await mode(join(dataDir, f)), 0o600, f);
});
