// The fixture corpus: every valid workflow parses and plans; every invalid one yields
// exactly the diagnostics in its `.expected.txt` (formatDiagnostic, one per line).
// Set SLIPWAY_UPDATE_FIXTURES=1 to rewrite the expected files after a deliberate change.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../core/errors.ts';
import { parseWorkflow } from './parse-workflow.ts';
import { planWorkflow } from './plan.ts';

const root = fileURLToPath(new URL('../../test/fixtures/workflows/', import.meta.url));
const ymlIn = (dir: string): string[] => readdirSync(`${root}${dir}`).filter((f) => f.endsWith('.yml')).sort();
const update = process.env.SLIPWAY_UPDATE_FIXTURES === '1';

void describe('valid workflows', () => {
  const files = ymlIn('valid');
  void it('has a corpus', () => assert.ok(files.length >= 4));
  for (const file of files) {
    void it(file, () => {
      const { workflow, diagnostics } = parseWorkflow(file, readFileSync(`${root}valid/${file}`, 'utf8'));
      assert.deepEqual(diagnostics.map(formatDiagnostic), []);
      assert.ok(workflow);
      const plan = planWorkflow(workflow);
      assert.equal(plan.jobs.length, workflow.jobs.length);
    });
  }
});

void describe('invalid workflows', () => {
  const files = ymlIn('invalid');
  void it('has a corpus', () => assert.ok(files.length >= 8));
  for (const file of files) {
    void it(file, () => {
      const { workflow, diagnostics } = parseWorkflow(file, readFileSync(`${root}invalid/${file}`, 'utf8'));
      assert.equal(workflow, undefined, 'no workflow when there are errors');
      const actual = diagnostics.map(formatDiagnostic).join('\n');
      const expectedPath = `${root}invalid/${file.replace(/\.yml$/, '.expected.txt')}`;
      if (update) writeFileSync(expectedPath, `${actual}\n`);
      assert.equal(actual, readFileSync(expectedPath, 'utf8').trimEnd());
    });
  }
});
