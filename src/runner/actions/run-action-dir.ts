// The one place a resolved action directory is run. Today only composite actions run from
// a directory (composite-run.ts); when `runActionFromDir` (action-dir.ts: composite, node
// and docker actions) lands, this function calls it instead and nothing else changes.
import type { StepResult } from '../job-state.ts';
import { runCompositeAction, type CompositeRun } from './composite-run.ts';

export interface ActionDirRun extends CompositeRun {
  /** The action's directory (holding action.yml). */
  dir: string;
  /** What file names in messages are relative to. */
  displayRoot: string;
}

export function runActionDir(c: ActionDirRun): Promise<StepResult> {
  return runCompositeAction(c, { dir: c.dir, displayRoot: c.displayRoot });
}
