// `hashFiles(...patterns)` (docs.github.com "Expressions" §hashFiles): the SHA-256 of the
// SHA-256 digests of every file the patterns select under the workspace, or '' when none
// does. As in the runner's implementation, files outside the workspace are ignored and
// the per-file digests are fed in binary; here by their real path, since the runner reads
// them as root and a job's link to a file it cannot read (on the host, through a container's
// workspace) would put that file's hash in the job's hands. Synchronous because expressions are.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { confinedTo, globFiles } from './glob.ts';

function fileDigest(path: string): Buffer {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest();
}

export function hashFiles(workspace: string, patterns: string[]): string {
  const lines = patterns.flatMap((p) => p.split(/\r?\n/)).map((l) => l.trim()).filter(Boolean);
  const files = confinedTo(globFiles(lines, workspace), [workspace]);
  if (files.length === 0) return '';
  const result = createHash('sha256');
  for (const f of files) result.update(fileDigest(f));
  return result.digest('hex');
}
