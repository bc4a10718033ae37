// What the parser records for the syntax GitHub added (issue 12, "What to build" 3):
// runs-on groups, container/services credentials, ports, volumes, entrypoint and command,
// environment.deployment, snapshot; and runner.hostVolumes letting a host path through.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../core/errors.ts';
import type { Workflow } from '../model.ts';
import { parseWorkflow } from './parse-workflow.ts';

const file = fileURLToPath(new URL('../../../test/fixtures/workflows/valid/github-syntax.yml', import.meta.url));

void test('the github-syntax fixture reads into the model', () => {
  const { workflow, diagnostics } = parseWorkflow('g.yml', readFileSync(file, 'utf8'));
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  const wf = workflow as Workflow;
  assert.equal(wf.name, '2026');
  const [grouped, matrixed] = wf.jobs;
  assert.deepEqual(grouped?.runsOn, ['linux', 'x64', 'large-runners']);
  assert.equal(grouped?.runsOnGroup, 'large-runners');
  assert.equal(grouped?.timeoutMinutes, 30);
  assert.equal(grouped?.cancelTimeoutMinutes, 5);
  assert.deepEqual(grouped?.snapshot, { imageName: 'my-image' });
  assert.deepEqual(grouped?.environment, { name: '${{ inputs.target }}', url: '${{ steps.deploy.outputs.url }}', deployment: false });
  assert.deepEqual(grouped?.container, {
    image: 'registry.example/app:1',
    env: { NODE_ENV: 'test', WHERE: '${{ runner.os }}-${{ job.status }}' },
    credentials: { username: '${{ github.actor }}', password: '${{ secrets.REGISTRY_TOKEN }}' },
    ports: ['8080', '9090:90'],
    volumes: ['cache:/cache', '/scratch', 'build-output:/out:ro'],
    options: '--cpus 1',
  });
  assert.deepEqual(grouped?.services.redis, { image: 'redis:7', env: {}, ports: [] });
  assert.deepEqual(grouped?.services.db, {
    image: 'postgres:16', env: { POSTGRES_PASSWORD: '${{ secrets.DB_PASS }}' }, ports: ['5432'],
    credentials: { username: 'u', password: '${{ secrets.DB_PASS }}' }, volumes: ['pgdata:/var/lib/postgresql/data'],
    entrypoint: 'docker-entrypoint.sh', command: 'postgres -c fsync=off',
  });
  assert.deepEqual(matrixed?.snapshot, { imageName: 'img-${{ matrix.os }}', version: '2.*', if: "github.ref == 'refs/heads/main'" });
});

void test('a host path mounts only under a directory runner.hostVolumes lists', () => {
  const text = (volume: string) => `on: push
jobs:
  j:
    runs-on: local
    container: {image: x, volumes: ['${volume}']}
    steps: [{run: make}]
`;
  const messages = (volume: string, hostVolumes?: string[]) => parseWorkflow('h.yml', text(volume), hostVolumes ? { hostVolumes } : {}).diagnostics.map((d) => d.message);
  assert.match(messages('/srv/cache:/cache')[0] ?? '', /runner\.hostVolumes does not allow/);
  assert.deepEqual(messages('/srv/cache/npm:/cache', ['/srv/cache']), []);
  assert.deepEqual(messages('/srv/cache:/cache', ['/srv/cache/']), []);
  assert.match(messages('/srv/cache/../etc:/x', ['/srv/cache'])[0] ?? '', /host path \/srv\/etc/);
  assert.match(messages('/srv/cachet:/x', ['/srv/cache'])[0] ?? '', /runner\.hostVolumes does not allow/);
});
