// The demo's base image, made offline. Slipway's demo and tests must work on a machine with
// no registry reachable (no Docker Hub, no mirror), so instead of pulling `busybox` we build
// an equivalent image from the host's statically linked /bin/busybox (Debian busybox-static).
import { chmod, copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputSink } from '../core/types.ts';
import { withPrivateDir } from '../exec/private-temp.ts';
import { runOrThrow } from '../exec/run.ts';
import { runTool, runToolOrThrow } from './run-tool.ts';

export const busyboxImage = 'localhost/slipway/busybox:latest';

export async function ensureBusyboxImage(
  name = busyboxImage,
  onOutput?: OutputSink,
  options: { busybox?: string; engine?: string } = {},
): Promise<void> {
  const engine = options.engine ?? 'podman';
  if ((await runTool(engine, ['image', 'exists', name])).exitCode === 0) return;
  const busybox = options.busybox ?? '/bin/busybox';
  await withPrivateDir('busybox', async (dir) => {
    const root = join(dir, 'root');
    await mkdir(join(root, 'bin'), { recursive: true });
    await mkdir(join(root, 'usr'));
    await mkdir(join(root, 'etc'));
    await mkdir(join(root, 'tmp'));
    await chmod(join(root, 'tmp'), 0o1777); // mkdir's mode is filtered by the umask.
    await copyFile(busybox, join(root, 'bin/busybox'));
    await chmod(join(root, 'bin/busybox'), 0o755);
    // Every applet as /bin/<name> → busybox, like the official busybox image.
    const { stdout } = await runOrThrow([busybox, '--list']);
    for (const applet of stdout.split('\n').filter((a) => a && a !== 'busybox')) {
      await symlink('busybox', join(root, 'bin', applet));
    }
    // Shebangs say /usr/bin/env and /usr/bin/… ; tools like `id` and `whoami` read /etc/passwd.
    await symlink('../bin', join(root, 'usr/bin'));
    await symlink('bin', join(root, 'sbin'));
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
    await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    const tarball = join(dir, 'rootfs.tar');
    await runToolOrThrow('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', tarball, '.'], { onOutput });
    await runToolOrThrow(engine, [
      'import', '--change', 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin', '--change', 'CMD ["sh"]', tarball, name,
    ], { onOutput });
  });
}
