// The default job image (what `runs-on: ubuntu-latest` runs in unless the admin maps the
// label to an image of their own), made offline on first use from this machine's Debian
// packages plus the Node that runs Slipway (so JavaScript actions can run in it) and this
// machine's npm (job-image-npm.ts), so a Node project's `npm ci` and `npm test` work.
//
// Why copy installed packages rather than `debootstrap --variant=minbase`: it needs no
// mirror and no network (Slipway's demo and tests work on a machine with no registry or
// mirror reachable, as the busybox base image and the HAProxy image do), takes seconds
// instead of about a minute, and the tools are the versions this machine already runs.
// The cost is that the image follows the host's Debian release; admins who want a
// particular distribution map the label to their own image.
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutputSink } from '../../core/types.ts';
import { lstatIfExists } from '../../core/lstat-if-exists.ts';
import { withPrivateDir } from '../../exec/private-temp.ts';
import { runOrThrow } from '../../exec/run.ts';
import { runTool, runToolOrThrow } from '../run-tool.ts';
import { elfCandidates, jobImagePackages, librariesOf, packageFiles, packageVersions } from './job-image-files.ts';
import { findJobImageNpm, installJobImageNpm, type JobImageNpm } from './job-image-npm.ts';

/** Bumped when what this file puts into the image changes, so the hash changes with it. */
const recipeVersion = 2;
const repository = 'localhost/slipway/job';
const certificates = '/etc/ssl/certs/ca-certificates.crt';

const building = new Map<string, Promise<string>>();

interface JobImageOptions {
  engine?: string;
  /** The Node binary put into the image as /usr/local/bin/node. Default: the one running Slipway. */
  node?: string;
}

interface JobImageInputs {
  name: string;
  node: string;
  npm: JobImageNpm | undefined;
}

/** What goes into the image, and its name: `localhost/slipway/job:<hash of the inputs>`, a new name only when an input changed. */
async function jobImageInputs(options: JobImageOptions): Promise<JobImageInputs> {
  const node = await realpath(options.node ?? process.execPath);
  const npm = await findJobImageNpm(node);
  const inputs = {
    recipeVersion,
    packages: await packageVersions(jobImagePackages),
    node: { size: (await stat(node)).size, version: node === (await realpath(process.execPath)) ? process.version : node },
    npm: npm ? { version: npm.npm.version, corepack: npm.corepack?.version ?? null, npmrc: npm.npmrc } : null,
  };
  return { name: `${repository}:${createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16)}`, node, npm };
}

/** The image's name, `localhost/slipway/job:<hash>`. */
export async function jobImageName(options: JobImageOptions = {}): Promise<string> {
  return (await jobImageInputs(options)).name;
}

/** Makes the job image unless the engine has it already; returns its name. Once per process at a time. */
export async function ensureJobImage(onOutput: OutputSink = () => {}, options: JobImageOptions = {}): Promise<string> {
  const engine = options.engine ?? 'podman';
  const inputs = await jobImageInputs(options);
  const { name } = inputs;
  if ((await runTool(engine, ['image', 'exists', name])).exitCode === 0) return name;
  let made = building.get(name);
  if (!made) {
    made = makeJobImage(inputs, engine, onOutput).finally(() => building.delete(name));
    building.set(name, made);
  } else {
    onOutput('making the job image (first start only): waiting for it to be ready…\n');
  }
  return made;
}

async function makeJobImage({ name, node, npm }: JobImageInputs, engine: string, onOutput: OutputSink): Promise<string> {
  const started = Date.now();
  onOutput(`making the job image (first start only): ${name} from this machine's Debian packages (${jobImagePackages.join(', ')}), Node ${process.version} and ${npm ? `npm ${npm.npm.version}` : 'no npm'}…\n`);
  await withPrivateDir('job-image', async (dir) => {
    const files = await packageFiles(jobImagePackages);
    const libraries = await librariesOf([...(await elfCandidates(files)), node]);
    onOutput(`  copying ${files.length} files and ${libraries.length} libraries\n`);
    const root = join(dir, 'root');
    await mkdir(root);
    await writeFile(join(dir, 'files'), files.map((f) => f.slice(1)).join('\n'));
    await writeFile(join(dir, 'libraries'), [...libraries, certificates].map((f) => f.slice(1)).join('\n'));
    // Package files keep their symlinks (sh → dash); libraries are stored as the files the
    // loader's names point to.
    for (const [list, flags] of [['files', ['--no-recursion']], ['libraries', ['--dereference']]] as const) {
      await runOrThrow(['tar', '-C', '/', ...flags, '-cf', join(dir, `${list}.tar`), '-T', join(dir, list)]);
      await runOrThrow(['tar', '-C', root, '-xf', join(dir, `${list}.tar`)]);
    }
    await finishRoot(root, node);
    if (!npm) onOutput(`  no npm on this machine (none beside ${node}, none on PATH): the image has node but no npm or npx; install npm (Debian: apt-get install npm) and the next job remakes the image with it\n`);
    else await installJobImageNpm(root, npm, node, dir, onOutput);
    onOutput('  importing it into the container engine\n');
    const tarball = join(dir, 'rootfs.tar');
    await runToolOrThrow('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', tarball, '.']);
    await runToolOrThrow(engine, [
      'import',
      '--change', 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change', 'ENV HOME=/root', '--change', 'ENV LANG=C.UTF-8',
      // Node (and so npm) trusts the CA bundle curl and git use, the machine's: its own store
      // lacks the CAs of a TLS-inspecting proxy or a company registry.
      '--change', `ENV NODE_EXTRA_CA_CERTS=${certificates}`,
      '--change', 'CMD ["bash"]', tarball, name,
    ]);
  });
  onOutput(`made the job image ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return name;
}

/** Debian's merged-/usr links, users, /tmp, Node, and the loader cache. */
async function finishRoot(root: string, node: string): Promise<void> {
  for (const dir of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'usr/local/bin', 'etc/ld.so.conf.d', 'root', 'home', 'var/tmp']) {
    await mkdir(join(root, dir), { recursive: true });
  }
  for (const link of ['bin', 'sbin', 'lib', 'lib64']) {
    // base-files lists some of these links itself.
    if (!(await lstatIfExists(join(root, link)))) await symlink(`usr/${link}`, join(root, link));
  }
  await mkdir(join(root, 'tmp'), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777); // mkdir's mode is filtered by the umask.
  await chmod(join(root, 'var/tmp'), 0o1777);
  await copyFile(node, join(root, 'usr/local/bin/node'));
  await chmod(join(root, 'usr/local/bin/node'), 0o755);
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(root, 'etc/ld.so.conf'), 'include /etc/ld.so.conf.d/*.conf\n');
  await writeFile(join(root, 'etc/ld.so.conf.d/x86_64-linux-gnu.conf'), '/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n');
  // git's https transport and curl read the bundle; node has its own store.
  await readFile(join(root, certificates.slice(1)));
  await runOrThrow(['ldconfig', '-r', root]);
}
