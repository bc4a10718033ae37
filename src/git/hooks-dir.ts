// Slipway's own git hooks directory. Every git process serving a push gets
// `core.hooksPath=<this dir>` through its environment (command scope, which outranks a
// repository's config), so a hook file planted inside a repository, or a core.hooksPath set
// in its config, never runs. The directory holds only pre-receive.
import { chmod, mkdir, writeFile, rename } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const hookScript = fileURLToPath(new URL('./pre-receive-hook.ts', import.meta.url));
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Writes `<dir>/pre-receive` (rewritten each start, so it follows where Slipway is installed); returns dir. */
export async function writeHooksDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Node's compile cache (kept beside the hook) cuts the hook's start from ~100 ms to ~40 ms
  // (its TypeScript is not stripped again for every push).
  const cache = join(dir, 'node-compile-cache');
  const script = `#!/bin/sh\n# Written by Slipway; git runs it before applying a push.\nNODE_COMPILE_CACHE=${shellQuote(cache)} exec ${shellQuote(process.execPath)} --disable-warning=ExperimentalWarning ${shellQuote(hookScript)}\n`;
  const tmp = join(dir, `.pre-receive.${process.pid}.tmp`);
  await writeFile(tmp, script, { mode: 0o700 });
  await chmod(tmp, 0o700);
  await rename(tmp, join(dir, 'pre-receive'));
  return dir;
}
