// Workflow YAML → `Workflow`, GitHub Actions syntax (docs.github.com "Workflow syntax for
// GitHub Actions"). Every problem is reported in one pass, each with file, line, column
// and the key path, so a user fixes the file once instead of once per error.
import type { Diagnostic } from '../../core/errors.ts';
import { checkNeeds } from './check-needs.ts';
import type { Workflow } from '../model.ts';
import { readConcurrency, readPermissions } from './parse-concurrency.ts';
import { readOn } from './parse-on.ts';
import { readDefaults, readJob } from './parse-job.ts';
import type { ReadJob } from './parse-job.ts';
import { checkKeys, checkRequired, child, describe, readMap, Reader } from '../yaml/reader.ts';
import { checkUniqueIds } from './unique-ids.ts';
import { readEnv, readString } from './read-values.ts';
import { parseYamlTree } from '../yaml/tree.ts';
import type { ParseSettings } from './read-options.ts';

const topKeys = ['name', 'description', 'run-name', 'on', 'env', 'defaults', 'permissions', 'concurrency', 'jobs'];

/** `workflow` is set only when there are no diagnostics. `settings` come from the server's config. */
export function parseWorkflow(file: string, text: string, settings: ParseSettings = {}): { workflow?: Workflow; diagnostics: Diagnostic[] } {
  const r = new Reader(file);
  const { root, problems } = parseYamlTree(text);
  for (const p of problems) r.error(p, '', `invalid YAML: ${p.message}`);
  if (!root) return { diagnostics: sorted(r.diagnostics) };

  const workflow: Workflow = { file, name: file, on: {}, env: {}, defaults: {}, jobs: [] };
  const map = readMap(r, root, '', 'a mapping with `on` and `jobs` at the top of the file');
  if (map) {
    const suggested = checkKeys(r, map, '', topKeys);
    checkRequired(r, map, map, '', ['on', 'jobs'], suggested, 'every workflow');
    for (const pair of map.pairs) {
      const v = pair.value;
      switch (pair.key) {
        case 'name': workflow.name = readString(r, v, 'name') || file; break;
        case 'description': readString(r, v, 'description'); break;
        case 'run-name': workflow.runName = readString(r, v, 'run-name'); break;
        case 'on': workflow.on = readOn(r, v); break;
        case 'env': workflow.env = readEnv(r, v, 'env'); break;
        case 'defaults': workflow.defaults = readDefaults(r, v, 'defaults'); break;
        case 'jobs': workflow.jobs = readJobs(r, v, settings).map((j) => j.spec); break;
        case 'concurrency': workflow.concurrency = readConcurrency(r, v, 'concurrency'); break;
        case 'permissions': workflow.permissions = readPermissions(r, v, 'permissions'); break;
        default: break;
      }
    }
  }
  const diagnostics = sorted(r.diagnostics);
  return diagnostics.length > 0 ? { diagnostics } : { workflow, diagnostics };
}

function readJobs(r: Reader, node: Parameters<typeof readMap>[1], settings: ParseSettings): ReadJob[] {
  if (node.kind !== 'map') {
    r.error(node, 'jobs', `expected a mapping of job ids to jobs, found ${describe(node)}`);
    return [];
  }
  if (node.pairs.length === 0) r.error(node, 'jobs', 'expected at least one job, found none');
  checkUniqueIds(r, node.pairs.map((pair) => ({ id: pair.key, at: pair.keyPos, path: child('jobs', pair.key), name: `jobs.${pair.key}` })), 'job id');
  const jobs = node.pairs.flatMap((pair) => readJob(r, pair.key, pair.keyPos, pair.value, settings) ?? []);
  checkNeeds(r, jobs);
  return jobs;
}

function sorted(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d);
}
