// For the deploy tests: tiny web-app images built offline from the busybox base image, and
// cleanup of the containers a test started (by label). Not used outside tests.
import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage, ensureBusyboxImage } from '../build/base-image.ts';
import { ContainerEngine } from './engine/container-engine.ts';
import { LocalShell } from './targets/local/local-shell.ts';

export const appPort = 8080;

// busybox httpd as a well-behaved app: `sh` as PID 1 exits on SIGTERM (a bare httpd as
// PID 1 ignores it, and every stop would wait for the SIGKILL timeout).
const appCommand = `trap 'exit 0' TERM; httpd -f -p ${appPort} -h /www & wait`;

export function testEngine(log?: (line: string) => void): ContainerEngine {
  return new ContainerEngine({ shell: new LocalShell(), log });
}

export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/**
 * Builds `localhost/slipway-test/<name>:<tag>` serving `files` (path → content) from /www
 * on port 8080. Returns the reference.
 */
export async function buildApp(name: string, tag: string, files: Record<string, string>): Promise<string> {
  await ensureBusyboxImage(busyboxImage);
  const ref = `localhost/slipway-test/${name}:${tag}`;
  const dir = await mkdtemp(join(tmpdir(), 'slipway-test-app-'));
  try {
    await mkdir(join(dir, 'www'));
    await writeFile(join(dir, 'www/.keep'), '');
    for (const [path, content] of Object.entries(files)) await writeFile(join(dir, 'www', path), content);
    await writeFile(join(dir, 'Containerfile'), `FROM ${busyboxImage}\nCOPY www /www\nCMD ["sh", "-c", ${JSON.stringify(appCommand)}]\n`);
    const result = await new LocalShell().exec(['podman', 'build', '--quiet', '--tag', ref, '--file', join(dir, 'Containerfile'), dir]);
    if (result.exitCode !== 0) throw new Error(`podman build failed: ${result.stderr}`);
    return ref;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Removes every container carrying `labels`, and the given images. */
export async function cleanUp(labels: Record<string, string>, images: string[] = []): Promise<void> {
  const engine = testEngine();
  for (const c of await engine.list(labels)) await engine.remove(c.name);
  if (images.length > 0) await new LocalShell().exec(['podman', 'rmi', '--force', ...images]);
}
