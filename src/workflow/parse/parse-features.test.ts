// What the parser records for issue 2's syntax: inputs, schedules, workflow_call,
// concurrency, permissions, strategy, services, environment and reusable-workflow calls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../../core/errors.ts';
import type { Workflow } from '../model.ts';
import { parseWorkflow } from './parse-workflow.ts';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/workflows/', import.meta.url));
function fixture(path: string): Workflow {
  const { workflow, diagnostics } = parseWorkflow(path, readFileSync(`${fixtures}${path}`, 'utf8'));
  assert.deepEqual(diagnostics.map(formatDiagnostic), []);
  return workflow as Workflow;
}

void test('workflow level: run-name, typed dispatch inputs, concurrency, permissions', () => {
  const wf = fixture('valid/dispatch-inputs.yml');
  assert.equal(wf.runName, 'Release ${{ inputs.version }} by @${{ github.actor }}');
  assert.deepEqual(wf.on.workflowDispatch?.inputs, {
    version: { type: 'string', required: true, description: 'Version to release' },
    'dry-run': { type: 'boolean', required: false, default: false },
    replicas: { type: 'number', required: false, default: 3 },
    level: { type: 'choice', required: false, options: ['patch', 'minor', 'major'], default: 'patch' },
    target: { type: 'environment', required: false },
    notes: { type: 'string', required: false },
  });
  assert.deepEqual(wf.concurrency, { group: 'release-${{ github.ref }}', cancelInProgress: "${{ !contains(github.ref, 'main') }}" });
  assert.deepEqual(wf.permissions, { contents: 'write', 'id-token': 'write', 'pull-requests': 'none' });
  assert.equal(wf.jobs[0]?.permissions, 'read-all');
  assert.deepEqual(wf.jobs[0]?.concurrency, { group: 'release-job', cancelInProgress: false });
});

void test('schedule, repository_dispatch and workflow_call', () => {
  const wf = fixture('valid/schedule.yml');
  assert.deepEqual(wf.on.schedule, [{ cron: '30 5 * * 1-5' }, { cron: '0 */6 1,15 * *' }, { cron: '15 3 * JAN-MAR SUN' }]);
  assert.deepEqual(wf.on.repositoryDispatch, { types: ['nightly', 'rebuild'] });
  assert.deepEqual(wf.on.workflowDispatch, { inputs: {} });
  assert.equal(wf.permissions, 'write-all');
  const called = fixture('called/reusable-build.yml');
  assert.deepEqual(called.on.workflowCall, {
    inputs: {
      target: { type: 'string', required: true },
      optimize: { type: 'boolean', required: false, default: false },
      jobs: { type: 'number', required: false, default: '${{ 2 }}' },
    },
    secrets: { token: { required: false } },
    outputs: { image: '${{ jobs.package.outputs.image }}' },
  });
});

void test('jobs: strategy, services, environment, uses with secrets', () => {
  const matrix = fixture('valid/matrix.yml');
  assert.deepEqual(matrix.jobs[1]?.strategy, {
    failFast: false,
    maxParallel: 2,
    matrix: { axes: { os: ['linux', 'mac'], node: [20, 22.1], config: [{ name: 'small', size: 1 }] }, include: [], exclude: [{ os: 'mac', node: 20 }] },
  });
  assert.equal(matrix.jobs[0]?.strategy?.failFast, true, 'fail-fast defaults to true');
  const dynamic = fixture('valid/matrix-dynamic.yml');
  assert.equal(dynamic.jobs[1]?.strategy?.matrix, '${{ fromJSON(needs.discover.outputs.matrix) }}');
  assert.equal(dynamic.jobs[2]?.strategy?.failFastExpression, "${{ github.ref == 'refs/heads/main' }}");
  const services = fixture('valid/services.yml');
  assert.deepEqual(services.jobs[0]?.services.db, {
    image: 'postgres:16', env: { POSTGRES_PASSWORD: 'secret' }, ports: ['5432:5432'], options: '--health-cmd "pg_isready" --health-interval 1s',
  });
  assert.deepEqual(services.jobs[0]?.services.cache?.ports, ['6379', '127.0.0.1:6380:6379/tcp']);
  assert.deepEqual(services.jobs[1]?.environment, { name: 'staging', url: 'https://staging.example.com/${{ github.sha }}' });
  assert.deepEqual(services.jobs[2]?.environment, { name: 'production' });
  const caller = fixture('valid/reusable-caller.yml');
  const build = caller.jobs[1];
  assert.equal(build?.uses, './.github/workflows/reusable-build.yml');
  assert.deepEqual(build?.with, { target: 'release', optimize: 'true' });
  assert.deepEqual(build?.secrets, { token: '${{ secrets.BUILD_TOKEN }}' });
  assert.deepEqual(build?.steps, []);
  assert.equal(caller.jobs[2]?.secrets, 'inherit');
});
