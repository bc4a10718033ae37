// What goes into the default job image: the files of a few Debian packages installed on
// this machine (as `dpkg-query -L` lists them) and the shared libraries their programs
// load (as `ldd` resolves them). Paths are canonical (merged /usr: /bin/bash is stored as
// /usr/bin/bash), and the image gets Debian's /bin → usr/bin links.
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { lstatIfExists } from '../../core/lstat-if-exists.ts';
import { SlipwayError } from '../../core/errors.ts';
import { run, runOrThrow } from '../../exec/run.ts';

/**
 * The tools steps expect on a GitHub runner, and what they need: bash, git (with its
 * templates, exec-path and the perl some of its commands use), curl and wget,
 * ca-certificates, tar, gzip, xz, and the core utilities scripts call; busybox (static)
 * for the small servers and clients test scripts start (`busybox httpd`, as the demo's test does).
 */
export const jobImagePackages = [
  'base-files', 'bash', 'dash', 'coreutils', 'diffutils', 'findutils', 'grep', 'sed', 'gzip', 'tar', 'xz-utils',
  'util-linux', 'procps', 'libc-bin', 'git', 'perl-base', 'curl', 'wget', 'ca-certificates', 'openssl',
  'busybox-static',
] as const;

/** `name version` of each package, for the image's content hash; missing packages are named in the error. */
export async function packageVersions(packages: readonly string[]): Promise<string[]> {
  const result = await run(['dpkg-query', '-W', '-f', '${Package} ${Version} ${db:Status-Status}\n', ...packages]);
  const installed = new Map(result.stdout.split('\n').filter((l) => l.endsWith(' installed')).map((l) => [l.split(' ')[0]!, l]));
  const missing = packages.filter((p) => !installed.has(p));
  if (missing.length > 0) {
    throw new SlipwayError('EXEC_FAILED', `the default job image is made from this machine's Debian packages; missing: ${missing.join(', ')} (apt-get install ${missing.join(' ')}), or map runner.labels to an image of your own`);
  }
  return packages.map((p) => installed.get(p)!.replace(/ installed$/, ''));
}

/** A path with its directory resolved, so /bin/x and /usr/bin/x are one entry. */
async function canonical(path: string): Promise<string> {
  return join(await realpath(dirname(path)), basename(path));
}

/** Files and symlinks (never directories: tar would add their whole content) the packages own. */
export async function packageFiles(packages: readonly string[]): Promise<string[]> {
  const { stdout } = await runOrThrow(['dpkg-query', '-L', ...packages]);
  const files = new Set<string>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('/')) continue;
    const stat = await lstatIfExists(line); // Listed but deleted (docs stripped by the image's dpkg config).
    if (!stat || stat.isDirectory()) continue;
    if (/^\/usr\/share\/(doc|man|info|locale|lintian|bash-completion)\//.test(line)) continue;
    files.add(await canonical(line));
  }
  return [...files].sort();
}

/** Libraries (and the loader) the given programs load, as resolved on this machine. */
export async function librariesOf(programs: readonly string[]): Promise<string[]> {
  const libraries = new Set<string>();
  // One ldd for many files: it prints "file:" headers and resolves each; non-ELF files only
  // make it complain on stderr (and exit 1), which is why its exit code is not checked.
  for (let i = 0; i < programs.length; i += 200) {
    const { stdout } = await run(['ldd', ...programs.slice(i, i + 200)]);
    for (const line of stdout.split('\n')) {
      const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
      if (m) libraries.add(await canonical(m[1]!));
    }
  }
  return [...libraries].sort();
}

/** Which of `files` may be ELF programs or libraries (worth asking ldd about). */
export async function elfCandidates(files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const stat = await lstat(file);
    if (stat.isFile() && ((stat.mode & 0o111) !== 0 || /\.so(\.|$)/.test(file))) out.push(file);
  }
  return out;
}
