// Concurrency groups (docs.github.com "Control the concurrency of workflows and jobs"): at
// most one run or job of a group runs and one waits. A newcomer cancels the one already
// waiting; with `cancel-in-progress` it also cancels the one running. The waiting one
// starts when the running one has finished.
import type { ConcurrencySpec } from '../workflow/model.ts';
import { toBoolean, type ExpressionContext } from '../workflow/expressions/index.ts';
import { evaluateTemplate } from './contexts.ts';

export interface Concurrency {
  group: string;
  cancelInProgress: boolean;
}

/** Evaluates `concurrency`; an empty group means no group (GitHub ignores it). */
export function evaluateConcurrency(spec: ConcurrencySpec | undefined, context: ExpressionContext): Concurrency | undefined {
  if (!spec) return undefined;
  const group = String(evaluateTemplate(spec.group, context) ?? '').trim();
  if (group === '') return undefined;
  const c = spec.cancelInProgress;
  const cancelInProgress = typeof c === 'boolean' ? c : toBoolean(evaluateTemplate(c.includes('${{') ? c : `\${{ ${c} }}`, context));
  return { group, cancelInProgress };
}

export interface Member {
  id: string;
  state: 'pending' | 'admitted' | null;
}

interface GroupDecision {
  /** Waiting members to cancel (superseded by the newcomer). */
  cancelPending: string[];
  /** Running members to cancel (`cancel-in-progress`). */
  cancelRunning: string[];
  /** Whether the newcomer may start now. */
  admit: boolean;
}

/** What a newcomer to a group does to the group's other unfinished members. */
export function joinGroup(others: Member[], cancelInProgress: boolean): GroupDecision {
  const pending = others.filter((m) => m.state === 'pending').map((m) => m.id);
  const running = others.filter((m) => m.state === 'admitted').map((m) => m.id);
  return { cancelPending: pending, cancelRunning: cancelInProgress ? running : [], admit: running.length === 0 };
}
