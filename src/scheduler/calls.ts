// Reusable-workflow calls as the planner lays them out (src/workflow/plan/plan.ts): a calling
// job is replaced by the called workflow's jobs, keyed `caller/inner` (nested calls add a
// segment each), and a job needing the caller needs all of them. So the `needs` entry and
// outputs of a calling job are folded from its inner jobs here (docs "Reusing workflows" §
// "Using outputs from a reusable workflow"), and a called job's `inputs` come from the
// calling job's `with`.
import type { Job } from '../store/repos/runs.ts';
import type { JobSpec, Workflow } from '../workflow/model.ts';
import type { StoredPlan } from './stored-plan.ts';
import { interpolate } from '../workflow/expressions/index.ts';
import { calledPath } from '../workflow/plan/reusable.ts';
import { SlipwayError } from '../core/errors.ts';
import { contextValues, foldResults, foldStatus, type NeedsContext } from './contexts.ts';

/** `deploy (a/b)/build` → [`deploy (a/b)`, `build`]: splits at `/` outside parentheses. */
export function keySegments(key: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === '/' && depth === 0) {
      out.push(key.slice(from, i));
      from = i + 1;
    }
  }
  out.push(key.slice(from));
  return out;
}

const idOfSegment = (segment: string) => segment.split(' ')[0]!;

/** The workflow whose jobs live at `level` (the segments of a call key; [] = the run's own). */
export function workflowAt(stored: StoredPlan, level: string[]): Workflow {
  if (level.length === 0) return stored.workflow;
  const spec = callerSpecAt(stored, level);
  const called = stored.plan.called?.[calledPath(spec.uses ?? '')];
  if (!called) throw new SlipwayError('INTERNAL', `called workflow ${spec.uses} missing from the stored plan`);
  return called;
}

/** The calling job of the call at `level` (non-empty). */
export function callerSpecAt(stored: StoredPlan, level: string[]): JobSpec {
  const parent = workflowAt(stored, level.slice(0, -1));
  const id = idOfSegment(level[level.length - 1]!);
  const spec = parent.jobs.find((j) => j.id === id);
  if (!spec) throw new SlipwayError('INTERNAL', `calling job ${id} missing from ${parent.file}`);
  return spec;
}

/**
 * The `needs` (or `jobs`) context over finished rows, seen from `level`: rows at that level
 * by job id, rows inside a call from that level as the calling job, with the called
 * workflow's `on.workflow_call.outputs` evaluated over its own jobs.
 */
export function foldAt(stored: StoredPlan, level: string[], rows: Job[]): NeedsContext {
  const direct: Job[] = [];
  const calls = new Map<string, Job[]>();
  for (const row of rows) {
    const rel = keySegments(row.key).slice(level.length);
    if (rel.length <= 1) direct.push(row);
    else calls.set(rel[0]!, [...(calls.get(rel[0]!) ?? []), row]);
  }
  const out = foldResults(direct);
  for (const [segment, inner] of calls) {
    const callLevel = [...level, segment];
    const called = workflowAt(stored, callLevel);
    const jobs = foldAt(stored, callLevel, inner);
    const outputs: Record<string, string> = {};
    for (const [name, text] of Object.entries(called.on.workflowCall?.outputs ?? {})) {
      try {
        outputs[name] = interpolate(text, contextValues({ jobs }));
      } catch {
        outputs[name] = '';
      }
    }
    const id = idOfSegment(segment);
    const prev = out[id];
    const result = foldStatus([...(prev ? [prev.result] : []), ...inner.map((j) => j.status)]);
    out[id] = { result, outputs: { ...prev?.outputs, ...outputs } };
  }
  return out;
}

/** The level (call segments) a row lives at. */
export function levelOf(job: Pick<Job, 'key' | 'caller'>): string[] {
  return job.caller ? keySegments(job.caller) : [];
}

/** Rows at `level`'s parent that the calling job of `level` needs. */
export function callerNeedRows(stored: StoredPlan, level: string[], siblings: Job[]): Job[] {
  const spec = callerSpecAt(stored, level);
  const parent = level.slice(0, -1);
  return siblings.filter((s) => {
    const segs = keySegments(s.key);
    if (segs.length <= parent.length || parent.some((p, i) => segs[i] !== p)) return false;
    return spec.needs.includes(idOfSegment(segs[parent.length]!));
  });
}

/** The calling leg's matrix values (from the plan; every job of one call shares them). */
export function callerMatrixAt(stored: StoredPlan, level: string[]): Record<string, unknown> {
  const key = level.join('/');
  return stored.plan.jobs.find((p) => p.callerKey === key)?.callerMatrix ?? {};
}

