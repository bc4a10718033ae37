// The workflows of a working tree on disk, chosen as a push of it would choose them
// (`slipway run` and `slipway lint` work without a server).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { githubWorkflowDir, slipwayWorkflowDir, workflowFileNames } from '../workflow/load.ts';

/** Repository paths (`.slipway/workflows/ci.yml`) of the workflow files under `root`. */
export function localWorkflowFiles(root: string): string[] {
  const list = (dir: string): string[] => (existsSync(join(root, dir)) ? readdirSync(join(root, dir)) : []);
  return workflowFileNames(list(slipwayWorkflowDir), list(githubWorkflowDir)).files;
}
