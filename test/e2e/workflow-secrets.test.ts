// Secrets in workflows against a real server and real git: a project secret reaches a job as
// ${{ secrets.NAME }} and is printed plainly, base64'd (at every alignment, with a trailing
// newline), URL-encoded, inside JSON and through ::add-mask:: of a derived value — in the step
// log, an annotation, a step summary and the job's outputs. Every view (API, SSE-backed log
// text, `slipway logs`) shows *** and nothing of it is stored: the database is searched too.
// Environment secrets reach only a job naming the environment (a job naming a gated one
// waits for approval first: test/e2e/job-approval.test.ts).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { commitAndPush, removeDir, startHarness, waitFor, workingCopy, type Harness } from '../support/harness.ts';
import { runCli } from '../support/cli.ts';
import type { RunView } from '../support/api-views.ts';

// Characters that URL-encoding and JSON-escaping change, so each form differs from the value;
// 30 characters, so its base64 ends on a whole digit and is masked to the end.
const secret = `Sup3r"s3cret/tok+en=${String(process.pid % 1e7).padStart(7, '0')}&xy`;
const derived = secret.toUpperCase();
const stageKey = `stage-key-${Date.now()}`;
const prodKey = `prod-key-${Date.now()}`;

const workflow = `name: secrets
on: push
jobs:
  leak:
    runs-on: self-hosted
    outputs:
      plain: \${{ steps.print.outputs.plain }}
      derived: \${{ steps.print.outputs.derived }}
      encoded: \${{ steps.print.outputs.encoded }}
    steps:
      - id: print
        env:
          T: \${{ secrets.API_TOKEN }}
        run: |
          echo "plain $T"
          echo "b64 $(printf '%s' "$T" | base64 -w0)"
          echo "prefixed $(printf 'user:%s' "$T" | base64 -w0)"
          echo "piped $(echo "$T" | base64 -w0)"
          echo "url $(printf '%s' "$T" | sed -e 's|/|%2F|g' -e 's|+|%2B|g' -e 's|=|%3D|g' -e 's|&|%26|g' -e 's|"|%22|g')"
          printf '{"token":"%s"}\\n' "$(printf '%s' "$T" | sed 's/"/\\\\"/g')" | sed 's/^/json /'
          D=$(printf '%s' "$T" | tr 'a-z' 'A-Z')
          echo "::add-mask::$D"
          echo "derived $D"
          echo "::warning title=title $T::message $T and $D"
          echo "summary $T $(printf '%s' "$T" | base64 -w0)" >> "$GITHUB_STEP_SUMMARY"
          echo "plain=$T" >> "$GITHUB_OUTPUT"
          echo "derived=$D" >> "$GITHUB_OUTPUT"
          echo "encoded=$(printf '%s' "$T" | base64 -w0)" >> "$GITHUB_OUTPUT"
          test -z "\${{ secrets.STAGE_KEY }}"
          # Only what the workflow maps reaches a step: no secret arrives as a variable by itself.
          test -z "\${API_TOKEN:-}" && test "$(env | grep -c -F -- "$T")" = 1
  staging:
    runs-on: self-hosted
    environment: staging
    steps:
      - env:
          S: \${{ secrets.STAGE_KEY }}
          T: \${{ secrets.API_TOKEN }}
        run: test "\${#S}" = ${stageKey.length} && test -n "$T" && echo "stage $S"
`;

// The protected rules: production needs an approval (no job here names it).
const deployYml = `service: vault
image: vault
port: 8080
environments:
  staging: { hosts: [local], publish: 18089 }
  production: { hosts: [local], publish: 18090, approval: { required: 1 } }
`;

let h: Harness;
let repo: string;
const put = (path: string, value: string) => h.api(path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value }) });

before(async () => {
  h = await startHarness();
  repo = await workingCopy('slipway-secrets-', { '.slipway/workflows/ci.yml': workflow, '.slipway/deploy.yml': deployYml });
  await h.api('/api/projects', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'vault' }) });
  await put('/api/projects/vault/secrets/API_TOKEN', secret);
  await put('/api/projects/vault/environments/staging/secrets/STAGE_KEY', stageKey);
  await put('/api/projects/vault/environments/production/secrets/PROD_KEY', prodKey);
});
after(async () => {
  await h?.stop();
  await removeDir(repo);
  await removeDir(h?.dataDir ?? '');
});

/** Every form of the secret the workflow printed, none of which may appear anywhere. */
function forbidden(): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [secret, derived, stageKey, prodKey, b64(secret).replace(/=+$/, ''), b64(`user:${secret}`).slice(8, -4), b64(`${secret}\n`).slice(0, -4), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)];
}

function assertClean(where: string, text: string): void {
  for (const form of forbidden()) assert.ok(!text.includes(form), `${where} shows ${JSON.stringify(form)}:\n${text}`);
}

test('a project secret is masked in every view, in every common encoding; environment secrets follow the gate', { timeout: 120_000 }, async () => {
  assert.equal(secret.length % 3, 0, 'the exact-match assertions below assume a whole number of base64 groups');
  await commitAndPush(repo, h, 'vault', 'first', 'main');
  const run = await waitFor('the run', async () => {
    const r = await h.api<RunView>('/api/runs/vault%231').catch(() => undefined);
    return r && ['success', 'failure', 'cancelled'].includes(r.status) ? r : undefined;
  }, 60_000);
  const auth = { authorization: `Bearer ${h.slipway.adminToken}` };
  const logs = await fetch(`${h.slipway.url}/api/runs/${run.id}/logs`, { headers: auth }).then((r) => r.text());
  assert.equal(run.status, 'success', logs);
  assert.deepEqual(run.jobs.map((j) => [j.key, j.status]), [['leak', 'success'], ['staging', 'success']]);

  for (const line of ['plain ***', 'b64 ***', 'url ***', 'json {"token":"***"}', 'derived ***', 'stage ***']) assert.ok(logs.includes(`${line}\n`), `log line "${line}":\n${logs}`);
  assert.match(logs, /prefixed [A-Za-z0-9+/]{0,12}\*\*\*[A-Za-z0-9+/=]{0,4}\n/);
  assert.match(logs, /piped \*\*\*[A-Za-z0-9+/=]{0,4}\n/);
  assertClean('the run log', logs);

  // The live stream replays the same stored text: a finished run's stream ends after it.
  const sse = await fetch(`${h.slipway.url}/api/runs/${run.id}/logs?follow=1`, { headers: { ...auth, accept: 'text/event-stream' }, signal: AbortSignal.timeout(20_000) }).then((r) => r.text());
  assert.match(sse, /plain \*\*\*/);
  assertClean('the SSE stream', sse);

  const cli = await runCli(['logs', run.id], { env: { PATH: process.env.PATH, HOME: repo, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken } });
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(cli.stdout.includes('plain ***\n'), cli.stdout);
  assertClean('slipway logs', cli.stdout);

  const annotations = await h.api<{ level: string; title: string | null; message: string }[]>(`/api/runs/${run.id}/annotations`);
  assert.deepEqual(annotations.map((a) => [a.level, a.title, a.message]), [['warning', 'title ***', 'message *** and ***']]);
  const summary = await h.api<{ markdown: string }>(`/api/runs/${run.id}/summary`);
  assert.equal(summary.markdown, 'summary *** ***\n');
  const leak = run.jobs.find((j) => j.key === 'leak')!;
  assert.deepEqual(leak.outputs, { plain: '***', derived: '***', encoded: '***' });

  // Nothing unmasked at rest: the database file holds none of it (secrets are ciphertext there).
  const db = await readFile(join(h.dataDir, 'slipway.db'));
  const wal = await readFile(join(h.dataDir, 'slipway.db-wal')).catch(() => Buffer.alloc(0));
  assertClean('slipway.db', Buffer.concat([db, wal]).toString('latin1'));
});

test('project secrets: listed by name only, removed, and the CLI sets one from stdin', async () => {
  const env = { PATH: process.env.PATH, HOME: repo, SLIPWAY_URL: h.slipway.url, SLIPWAY_TOKEN: h.slipway.adminToken };
  const list = await h.api<{ name: string }[]>('/api/projects/vault/secrets');
  assert.deepEqual(list.map((s) => s.name), ['API_TOKEN']);
  const reserved = await fetch(`${h.slipway.url}/api/projects/vault/secrets/GITHUB_TOKEN`, { method: 'PUT', headers: { authorization: `Bearer ${h.slipway.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ value: 'x' }) });
  assert.equal(reserved.status, 400);
  assert.match(await reserved.text(), /GITHUB_ are reserved/);
  const set = await runCli(['secrets', 'set', 'vault', 'CLI_ONE'], { env });
  assert.equal(set.code, 1, 'no stdin: an empty value is refused');
  const rm = await runCli(['secrets', 'rm', 'vault', 'API_TOKEN'], { env });
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stdout, /secret API_TOKEN removed from project vault/);
  const names = await runCli(['secrets', 'list', 'vault'], { env });
  assert.match(names.stdout, /no secrets for project vault/);
  const staged = await runCli(['secrets', 'list', 'vault', 'staging'], { env });
  assert.match(staged.stdout, /STAGE_KEY/);
  assertClean('slipway secrets list', staged.stdout);
});
