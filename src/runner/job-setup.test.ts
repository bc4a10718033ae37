import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateRunDefaults } from './job-setup.ts';

const ctx = { env: { SHELL: 'bash', WD: 'sub' }, matrix: { dir: 'leg-a' }, secrets: { TOKEN: 's3cret' }, steps: {}, github: { ref: 'refs/heads/main' } };

test("the job's defaults.run is evaluated with GitHub's contexts for it", () => {
  assert.deepEqual(evaluateRunDefaults({}, { shell: '${{ env.SHELL }}', workingDirectory: '${{ env.WD }}/${{ matrix.dir }}' }, ctx), { shell: 'bash', workingDirectory: 'sub/leg-a' });
});

test("contexts GitHub does not offer there (secrets, steps) fail, naming the key", () => {
  assert.throws(() => evaluateRunDefaults({}, { shell: '${{ secrets.TOKEN }}' }, ctx), { code: 'WORKFLOW_INVALID', message: /^jobs\.<job_id>\.defaults\.run\.shell: Unrecognized named-value: 'secrets'/ });
  assert.throws(() => evaluateRunDefaults({}, { workingDirectory: '${{ steps.x }}' }, ctx), { message: /^jobs\.<job_id>\.defaults\.run\.working-directory: Unrecognized named-value: 'steps'/ });
});

test("the workflow's defaults.run takes literal text only; the job's wins key by key", () => {
  assert.deepEqual(evaluateRunDefaults({ shell: 'sh', workingDirectory: 'w' }, { workingDirectory: '${{ env.WD }}' }, ctx), { shell: 'sh', workingDirectory: 'sub' });
  assert.throws(() => evaluateRunDefaults({ shell: '${{ env.SHELL }}' }, {}, ctx), { message: /^defaults\.run\.shell: Unrecognized named-value: 'env'/ });
});
