// Which workflow files a commit has: `.slipway/workflows/` wins when it holds any, else
// `.github/workflows/`, so a repository written for GitHub works unchanged (DESIGN.md
// "What the user writes"). Only `.yml`/`.yaml` files directly in the folder count, as on
// GitHub.

export const slipwayWorkflowDir = '.slipway/workflows';
export const githubWorkflowDir = '.github/workflows';

/**
 * Takes the file listings of both folders (repository paths like
 * `.slipway/workflows/ci.yml`, or bare names) and returns the chosen folder and its
 * workflow files as repository paths, sorted.
 */
export function workflowFileNames(slipwayFiles: string[], githubFiles: string[]): { dir: string; files: string[] } {
  const slipway = workflowFiles(slipwayWorkflowDir, slipwayFiles);
  if (slipway.length > 0) return { dir: slipwayWorkflowDir, files: slipway };
  return { dir: githubWorkflowDir, files: workflowFiles(githubWorkflowDir, githubFiles) };
}

function workflowFiles(dir: string, entries: string[]): string[] {
  const files = new Set<string>();
  for (const entry of entries) {
    const name = entry.startsWith(`${dir}/`) ? entry.slice(dir.length + 1) : entry;
    if (name.includes('/') || !/\.ya?ml$/.test(name)) continue;
    files.add(`${dir}/${name}`);
  }
  return [...files].sort();
}
