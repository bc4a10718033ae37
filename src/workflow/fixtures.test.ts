// The fixture corpus: every valid workflow parses and plans to its `.plan.json`; every
// invalid one yields exactly the diagnostics in its `.expected.txt` (formatDiagnostic, one
// per line), including those about the reusable workflows it calls. Called workflows live
// in `called/` and are found by file name. Set SLIPWAY_UPDATE_FIXTURES=1 to rewrite the
// expected files after a deliberate change, then review the diff.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../core/errors.ts';
import { formatDiagnostic } from '../core/errors.ts';
import type { Plan, Workflow } from './model.ts';
import { parseWorkflow } from './parse/parse-workflow.ts';
import { planWorkflow } from './plan/plan.ts';
import { loadCalledWorkflows } from './plan/reusable.ts';

const root = fileURLToPath(new URL('../../test/fixtures/workflows/', import.meta.url));
const ymlIn = (dir: string): string[] => readdirSync(`${root}${dir}`).filter((f) => f.endsWith('.yml')).sort();
const update = process.env.SLIPWAY_UPDATE_FIXTURES === '1';

async function load(dir: string, file: string): Promise<{ workflow?: Workflow; called: Record<string, Workflow>; diagnostics: Diagnostic[] }> {
  const parsed = parseWorkflow(file, readFileSync(`${root}${dir}/${file}`, 'utf8'));
  if (!parsed.workflow) return { called: {}, diagnostics: parsed.diagnostics };
  const calledDir = `${root}called/`;
  const loaded = await loadCalledWorkflows(parsed.workflow, async (path) => {
    const f = `${calledDir}${basename(path)}`;
    return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  });
  return { workflow: parsed.workflow, ...loaded };
}

/** The parts of a plan a reader checks: keys, needs, matrix values, deferral, callers. */
function summary(plan: Plan): unknown[] {
  return plan.jobs.map((j) => ({
    key: j.key,
    needs: j.needs,
    ...(j.matrix ? { matrix: j.matrix } : {}),
    ...(j.deferredMatrix ? { deferredMatrix: true } : {}),
    ...(j.workflow ? { workflow: j.workflow, caller: j.caller } : {}),
  }));
}

void describe('valid workflows', () => {
  const files = ymlIn('valid');
  void it('has a corpus', () => assert.ok(files.length >= 10));
  for (const file of files) {
    void it(file, async () => {
      const { workflow, called, diagnostics } = await load('valid', file);
      assert.deepEqual(diagnostics.map(formatDiagnostic), []);
      assert.ok(workflow);
      const plan = planWorkflow(workflow, called);
      const planPath = `${root}valid/${file.replace(/\.yml$/, '.plan.json')}`;
      if (update) writeFileSync(planPath, `${JSON.stringify(summary(plan), null, 2)}\n`);
      assert.deepEqual(summary(plan), JSON.parse(readFileSync(planPath, 'utf8')));
    });
  }
});

void describe('invalid workflows', () => {
  const files = ymlIn('invalid');
  void it('has a corpus', () => assert.ok(files.length >= 14));
  for (const file of files) {
    void it(file, async () => {
      const { diagnostics } = await load('invalid', file);
      assert.ok(diagnostics.length > 0, 'an invalid workflow has diagnostics');
      const actual = diagnostics.map(formatDiagnostic).join('\n');
      const expectedPath = `${root}invalid/${file.replace(/\.yml$/, '.expected.txt')}`;
      if (update) writeFileSync(expectedPath, `${actual}\n`);
      assert.equal(actual, readFileSync(expectedPath, 'utf8').trimEnd());
    });
  }
});
