// What `actions/setup-node` is asked for (`node-version`, else `node-version-file`) and
// whether the Node the job already has answers it. Slipway never downloads a Node: the job
// runs its image's (or, on the host executor, the machine's), so the request is checked,
// not fulfilled. Aliases as setup-node reads them (src/distributions/base-distribution.ts):
// `node`, `latest`, `current`; `lts/*`, `lts/-1`, `lts/<codename>`.
import { parseRange, type Version } from './setup-node-semver.ts';

/** Node's LTS lines by codename (nodejs.org/en/about/previous-releases). */
const ltsCodenames: Record<string, number> = {
  argon: 4, boron: 6, carbon: 8, dubnium: 10, erbium: 12, fermium: 14, gallium: 16, hydrogen: 18, iron: 20, jod: 22, krypton: 24,
};

/**
 * What a version file says, as setup-node's getNodeVersionFromFile reads it: package.json's
 * `volta.node`, then `engines.node`, then `volta.extends` (another file to read); else a
 * line that is one version (`.nvmrc`, `.node-version`) or `nodejs 20.1` (`.tool-versions`).
 */
export function parseVersionFile(contents: string): { spec?: string; extends?: string } {
  let manifest: unknown;
  try {
    manifest = JSON.parse(contents);
  } catch {
    manifest = undefined;
  }
  if (typeof manifest === 'object' && manifest !== null) {
    const m = manifest as { volta?: { node?: unknown; extends?: unknown }; engines?: { node?: unknown } };
    if (typeof m.volta?.node === 'string') return { spec: m.volta.node };
    if (typeof m.engines?.node === 'string') return { spec: m.engines.node };
    if (typeof m.volta?.extends === 'string') return { extends: m.volta.extends };
    return {};
  }
  const found = /^(?:node(?:js)?\s+)?v?(?<version>[^\s]+)$/m.exec(contents);
  const spec = found?.groups?.version ?? contents.trim();
  return spec ? { spec } : {};
}

/** Not ok: `want` is the major line asked for, where one is (for the failure's example). */
type Check = { ok: true; why: string } | { ok: false; why: string; want?: number };

const show = (v: Version) => `v${v.join('.')}`;

/**
 * Whether `available` (the job's `node --version`) answers `spec`. Throws an Error naming
 * the spec when it is not one setup-node would take.
 */
export function checkNodeVersion(spec: string, available: Version): Check {
  const text = spec.trim();
  const lower = text.toLowerCase();
  const have = show(available);
  if (['node', 'latest', 'current'].includes(lower)) {
    return { ok: true, why: `"${text}" takes the Node the job has; no newer one is looked for` };
  }
  if (lower.startsWith('lts/')) {
    const name = lower.slice(4);
    if (name === '*' || /^-\d+$/.test(name)) {
      // Even-numbered lines from 18 on are (or become) LTS; which one is newest needs the
      // release index, which is a download.
      const lts = available[0] % 2 === 0 && available[0] >= 18;
      return lts
        ? { ok: true, why: `"${text}": ${have} is of an LTS line (even-numbered, 18 or later); whether a newer LTS exists is not checked` }
        : { ok: false, why: `"${text}" wants an LTS line (even-numbered, 18 or later), and ${have} is not one` };
    }
    const major = ltsCodenames[name];
    if (major === undefined) throw new Error(`node-version "${text}": unknown LTS codename "${name}" (known: ${Object.keys(ltsCodenames).join(', ')})`);
    return available[0] === major
      ? { ok: true, why: `"${text}" is Node ${major}, and ${have} is of that line` }
      : { ok: false, why: `"${text}" is Node ${major}`, want: major };
  }
  if (/nightly|canary|-rc/.test(lower)) {
    return { ok: false, why: `"${text}" asks for a prerelease build of Node, which only a download gives` };
  }
  let matches: (v: Version) => boolean;
  try {
    matches = parseRange(text);
  } catch (err) {
    throw new Error(`node-version: ${(err as Error).message}`, { cause: err });
  }
  if (matches(available)) return { ok: true, why: `${have} satisfies "${text}"` };
  const first = /\d+/.exec(text);
  return { ok: false, why: `"${text}" is not satisfied by ${have}`, ...(first ? { want: Number(first[0]) } : {}) };
}

/** `architecture` input names (x64, x86, arm64, …) as Node's process.arch says them. */
export function nodeArch(input: string): string {
  const a = input.trim().toLowerCase();
  return a === 'x86' ? 'ia32' : a === 'amd64' ? 'x64' : a === 'aarch64' ? 'arm64' : a;
}
