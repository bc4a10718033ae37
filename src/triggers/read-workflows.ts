// The workflows of one commit, read and parsed: what every trigger (push, dispatch,
// schedule) starts from. Invalid files come back with their diagnostics, not thrown.
import type { Diagnostic } from '../core/errors.ts';
import type { GitHosting } from '../git/hosting.ts';
import type { Workflow } from '../workflow/model.ts';
import { parseWorkflow } from '../workflow/parse/parse-workflow.ts';
import type { ParseSettings } from '../workflow/parse/read-options.ts';
import { githubWorkflowDir, slipwayWorkflowDir, workflowFileNames } from '../workflow/load.ts';

interface WorkflowFile {
  file: string;
  workflow?: Workflow;
  diagnostics: Diagnostic[];
}

export async function readWorkflows(git: GitHosting, project: string, sha: string, settings: ParseSettings = {}): Promise<WorkflowFile[]> {
  const { files } = workflowFileNames(await git.listFiles(project, sha, slipwayWorkflowDir), await git.listFiles(project, sha, githubWorkflowDir));
  const out: WorkflowFile[] = [];
  for (const file of files) out.push({ file, ...parseWorkflow(file, (await git.readFile(project, sha, file)) ?? '', settings) });
  return out;
}
