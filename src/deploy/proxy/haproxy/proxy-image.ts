// The image of the per-host proxy (HAProxy), made offline from this machine's own HAProxy
// package: its binary, the shared libraries `ldd` lists, and busybox for a shell. Nothing is
// pulled from the internet, and the image runs on any x86_64 Linux host whatever its
// distribution (it brings its own libraries). This machine (`local`) has it once built; SSH hosts that lack it get it over SSH
// (`podman save` here, `podman load` there), once.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { containerToolEnv } from '../../../core/tool-env.ts';
import { SlipwayError } from '../../../core/errors.ts';
import { withPrivateDir } from '../../../exec/private-temp.ts';
import { runOrThrow } from '../../../exec/run.ts';
import { spawnProcess } from '../../../exec/spawn-process.ts';
import type { HostShell } from '../../targets/host-shell.ts';
let built: Promise<string> | undefined;

/** Builds (once per process; reused if the engine has it) `localhost/slipway/haproxy:<version>`; returns its name. */
export function ensureProxyImage(haproxy = '/usr/sbin/haproxy'): Promise<string> {
  built ??= buildProxyImage(haproxy).catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

async function buildProxyImage(haproxy: string): Promise<string> {
  let version: string;
  try {
    version = /version (\S+)/i.exec((await runOrThrow([haproxy, '-v'])).stdout)?.[1] ?? 'unknown';
  } catch (cause) {
    throw new SlipwayError('EXEC_FAILED', `${haproxy} not found: deploy hosts (local and SSH) get their proxy from this machine's HAProxy (apt-get install haproxy)`, { cause });
  }
  const name = `localhost/slipway/haproxy:${version.replace(/[^\w.-]/g, '_')}`;
  if ((await runTool('podman', ['image', 'exists', name])).exitCode === 0) return name;
  return withPrivateDir('proxy-image', async (dir) => {
    const libraries = parseLdd((await runOrThrow(['ldd', haproxy])).stdout);
    await mkdir(join(dir, 'extra/etc'), { recursive: true });
    await mkdir(join(dir, 'extra/tmp'));
    await chmod(join(dir, 'extra/tmp'), 0o1777);
    await mkdir(join(dir, 'extra/run/haproxy'), { recursive: true });
    await writeFile(join(dir, 'extra/etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nhaproxy:x:65534:65534:haproxy:/nonexistent:/bin/false\n');
    await writeFile(join(dir, 'extra/etc/group'), 'root:x:0:\nhaproxy:x:65534:\n');
    const tarball = join(dir, 'rootfs.tar');
    // --dereference: libraries are symlinks to versioned files; the image needs the files.
    await runToolOrThrow('tar', ['--numeric-owner', '--owner=0', '--group=0', '--dereference', '-cf', tarball, '-C', '/', ...[haproxy, '/bin/busybox', ...libraries].map((p) => p.slice(1))]);
    await runToolOrThrow('tar', ['--numeric-owner', '--owner=0', '--group=0', '-rf', tarball, '-C', join(dir, 'extra'), 'etc', 'tmp', 'run']);
    await runToolOrThrow('podman', ['import', '--change', `CMD ["${haproxy}", "-db", "-f", "/etc/slipway-proxy/haproxy.cfg"]`, tarball, name]);
    return name;
  });
}

/** Absolute paths of the libraries `ldd` resolved (and the dynamic loader). */
function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) paths.add(m[1]!);
  }
  return [...paths];
}

/** Copies the proxy image to a host that lacks it: `podman save` here, piped into `podman load` there. */
export async function copyImageTo(runner: HostShell, image: string, log: (line: string) => void): Promise<void> {
  if ((await runner.exec(['podman', 'image', 'exists', image])).exitCode === 0) return;
  log(`copying ${image} to ${runner.description}`);
  const save = spawnProcess(['podman', 'save', image], { env: containerToolEnv() });
  let saveError = '';
  save.stderr!.setEncoding('utf8').on('data', (chunk: string) => (saveError += chunk));
  const saved = save.closed.then((exit) => exit.exitCode);
  const loaded = await runner.exec(['podman', 'load'], { stdin: save.stdout! });
  if ((await saved) !== 0) throw new SlipwayError('EXEC_FAILED', `podman save ${image} failed: ${saveError.trim()}`);
  if (loaded.exitCode !== 0) throw new SlipwayError('EXEC_FAILED', `podman load on ${runner.description} failed (exit ${loaded.exitCode}): ${loaded.stderr.trim()}`);
}
