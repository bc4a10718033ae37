// Registry speed against CNCF Distribution 2.8 (Debian's docker-registry): skopeo pushes
// and pulls one 512 MiB layer, and pushes 50 small images in parallel, against a fresh
// `slipway up` (the whole server, token auth included) and a fresh Distribution on loopback
// ports, alternating which goes first, N rounds. Each round starts both servers anew on new
// ports and data dirs, so no blob is already there and skopeo's blob cache cannot turn a
// push into a mount. Prints the medians, the ratio (Distribution time / Slipway time: above
// 1 means Slipway is faster) and each server's peak RSS during the big push, above its idle.
// Also the layer as one blob with curl (a client that costs almost nothing): the servers' own
// speed, which skopeo's own work (it hashes and copies the layer too) hides.
// Usage: node bench/registry.ts [--rounds 5] [--mib 512] [--small 50] [--node-options '…']
// The Slipway server runs with bin/slipway's memory settings (its young generation size and
// malloc tuning), so the RSS is the one a deployed server has; --node-options replaces the
// NODE_OPTIONS part (default '--max-semi-space-size=8 --expose-gc', as bin/slipway), e.g. '--max-semi-space-size=1'.
// Targets: push and pull ratio ≥ 1.2; Slipway's RSS < 60 MB above idle during the big push.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parseArgs, promisify } from 'node:util';
import { createGzip, constants as zlib } from 'node:zlib';
import { containerToolEnv } from '../src/core/tool-env.ts';
import { freePort, removeDir, waitFor } from '../test/support/harness.ts';
import { startServerProcess } from '../test/support/server-process.ts';
import { median } from './lead-time/report.ts';

const exec = promisify(execFile);
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, mib: { type: 'string', default: '512' }, small: { type: 'string', default: '50' }, 'node-options': { type: 'string', default: '--max-semi-space-size=8 --expose-gc' } } });
const rounds = Number(values.rounds);
const layerMiB = Number(values.mib);
const smallCount = Number(values.small);

interface Server {
  name: 'slipway' | 'distribution';
  host: string;
  pid: number;
  /** skopeo's credentials for it, if it wants any. */
  creds: string[];
  stop(): Promise<void>;
}

interface Round {
  push: number;
  pull: number;
  /** The same layer as one blob with curl (POST, then one streamed PUT; GET to /dev/null): the server's own speed, without skopeo's. */
  curlPush: number;
  curlPull: number;
  small: number;
  idleRss: number;
  peakRss: number;
}

/** Resident set size of a process, in bytes. */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** Samples RSS every 10 ms while `work` runs; resolves to its duration (ms) and the peak. */
async function measured(pid: number, work: () => Promise<unknown>): Promise<{ ms: number; peak: number }> {
  let peak = await rssOf(pid);
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await rssOf(pid));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const t0 = performance.now();
  try {
    await work();
  } finally {
    running = false;
    await sampler;
  }
  return { ms: performance.now() - t0, peak };
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * An OCI layout holding `images` (tag → layer bytes source). Layers are gzip streams of
 * random bytes stored without compression (level 0): skopeo sees them as compressed and
 * pushes them as they are, so the bench measures transfer, not a compressor.
 */
async function ociLayout(dir: string, images: Array<{ tag: string; write: (sink: NodeJS.WritableStream) => Promise<void> }>): Promise<void> {
  await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
  const blob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const hex = sha256Hex(bytes);
    await writeFile(join(dir, 'blobs/sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const manifests = [];
  for (const image of images) {
    const tmp = join(dir, 'blobs', `.layer-${image.tag}`);
    const hash = createHash('sha256');
    let size = 0;
    const gzip = createGzip({ level: zlib.Z_NO_COMPRESSION });
    gzip.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    const out = createWriteStream(tmp);
    gzip.pipe(out);
    await image.write(gzip);
    gzip.end();
    await finished(out);
    const layerHex = hash.digest('hex');
    await rename(tmp, join(dir, 'blobs/sha256', layerHex));
    const config = await blob(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Labels: { tag: image.tag } } })));
    const manifest = await blob(Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${layerHex}`, size }],
    })));
    manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': image.tag } });
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
}

/** Writes `bytes` of fast pseudo-random data (incompressible, like a real compressed layer). */
function randomBytes(bytes: number) {
  return async (sink: NodeJS.WritableStream): Promise<void> => {
    const chunk = Buffer.alloc(1024 * 1024);
    for (let left = bytes; left > 0; left -= chunk.length) {
      randomFillSync(chunk);
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      if (!sink.write(Buffer.from(part))) await new Promise((resolve) => sink.once('drain', resolve));
    }
  };
}

async function startSlipwayServer(): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-bench-registry-'));
  // What bin/slipway sets (startServerProcess runs src/cli/main.ts without it).
  const asBinSlipway = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', NODE_OPTIONS: values['node-options'] };
  const server = await startServerProcess({ dataDir, port: await freePort(), env: { SLIPWAY_RUNNER_ENABLED: 'false', ...asBinSlipway } });
  return {
    name: 'slipway',
    host: new URL(server.url).host,
    pid: server.pid,
    creds: ['admin', server.token],
    async stop() {
      await server.stop();
      await removeDir(dataDir);
    },
  };
}

async function startDistribution(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-distribution-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  await writeFile(config, [
    'version: 0.1',
    'log: { level: error }',
    'storage:',
    `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
    '  delete: { enabled: true }',
    `http: { addr: "127.0.0.1:${port}" }`,
    '',
  ].join('\n'));
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const host = `127.0.0.1:${port}`;
  await waitFor('docker-registry to answer /v2/', async () => {
    if (gone) throw new Error(`docker-registry exited while starting:\n${err}`);
    return (await fetch(`http://${host}/v2/`).then((r) => r.ok).catch(() => false)) ? true : undefined;
  }, 30_000);
  return {
    name: 'distribution',
    host,
    pid: child.pid!,
    creds: [],
    async stop() {
      if (!gone) child.kill('SIGTERM');
      await exited;
      await removeDir(dir);
    },
  };
}

async function skopeo(...args: string[]): Promise<void> {
  await exec('skopeo', args, { env: containerToolEnv(), maxBuffer: 16 << 20 });
}

const credsFlag = (flag: string, s: Server): string[] => (s.creds.length === 0 ? [] : [flag, s.creds.join(':')]);

/** curl, as a client that costs almost nothing beside the server. */
async function curl(s: Server, ...args: string[]): Promise<string> {
  const auth = s.creds.length === 0 ? [] : ['-u', s.creds.join(':')];
  return (await exec('curl', ['-sSf', ...auth, ...args], { maxBuffer: 16 << 20 })).stdout;
}

async function curlPushPull(s: Server, layer: { path: string; digest: string }): Promise<{ push: number; pull: number }> {
  const base = `http://${s.host}`;
  const push = await measured(s.pid, async () => {
    const headers = await curl(s, '-D', '-', '-o', '/dev/null', '-X', 'POST', `${base}/v2/bench/raw/blobs/uploads/`);
    const location = /^location:\s*(\S+)/im.exec(headers)?.[1];
    if (!location) throw new Error(`no Location in the upload's answer:\n${headers}`);
    const url = new URL(location, base);
    url.searchParams.set('digest', layer.digest);
    await curl(s, '-o', '/dev/null', '-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '-T', layer.path, url.href);
  });
  const pull = await measured(s.pid, () => curl(s, '-o', '/dev/null', `${base}/v2/bench/raw/blobs/${layer.digest}`));
  return { push: push.ms, pull: pull.ms };
}

/** The layout's biggest blob: the layer. */
async function bigLayer(layout: string): Promise<{ path: string; digest: string }> {
  const dir = join(layout, 'blobs/sha256');
  let best = { path: '', digest: '', size: -1 };
  for (const name of await readdir(dir)) {
    const { size } = await stat(join(dir, name));
    if (size > best.size && /^[0-9a-f]{64}$/.test(name)) best = { path: join(dir, name), digest: `sha256:${name}`, size };
  }
  return best;
}

async function round(s: Server, layouts: { big: string; small: string }, work: string): Promise<Round> {
  await fetch(`http://${s.host}/v2/`);
  const idleRss = await rssOf(s.pid);
  const dest = credsFlag('--dest-creds', s);
  const push = await measured(s.pid, () => skopeo('copy', '--dest-tls-verify=false', ...dest, `oci:${layouts.big}:big`, `docker://${s.host}/bench/big:1`));
  const out = join(work, `pull-${s.name}`);
  const pull = await measured(s.pid, () => skopeo('copy', '--src-tls-verify=false', ...credsFlag('--src-creds', s), `docker://${s.host}/bench/big:1`, `dir:${out}`));
  await removeDir(out);
  const small = await measured(s.pid, () =>
    Promise.all(Array.from({ length: smallCount }, (_, i) => skopeo('copy', '--dest-tls-verify=false', ...dest, `oci:${layouts.small}:s${i}`, `docker://${s.host}/bench/small-${i}:1`))),
  );
  const raw = await curlPushPull(s, await bigLayer(layouts.big));
  return { push: push.ms, pull: pull.ms, curlPush: raw.push, curlPull: raw.pull, small: small.ms, idleRss, peakRss: push.peak };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'slipway-bench-registry-work-'));
  try {
    const layouts = { big: join(work, 'big'), small: join(work, 'small') };
    console.log(`preparing one ${layerMiB} MiB layer and ${smallCount} small images …`);
    await ociLayout(layouts.big, [{ tag: 'big', write: randomBytes(layerMiB * 1024 * 1024) }]);
    await ociLayout(layouts.small, Array.from({ length: smallCount }, (_, i) => ({ tag: `s${i}`, write: randomBytes(64 * 1024 + i) })));

    // The floor under the skopeo figures: skopeo copying the same image with no server at all.
    const alone: number[] = [];
    for (let i = 0; i < 3; i++) {
      const out = join(work, 'alone');
      const t0 = performance.now();
      await skopeo('copy', `oci:${layouts.big}:big`, `dir:${out}`);
      alone.push(performance.now() - t0);
      await removeDir(out);
    }
    const results: Record<Server['name'], Round[]> = { slipway: [], distribution: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [startSlipwayServer, startDistribution] : [startDistribution, startSlipwayServer];
      for (const start of order) {
        const s = await start();
        try {
          const result = await round(s, layouts, work);
          results[s.name].push(result);
          console.log(`round ${r + 1} ${s.name.padEnd(12)} push ${sec(result.push)}  pull ${sec(result.pull)}  ${smallCount} small ${sec(result.small)}  curl push ${sec(result.curlPush)} pull ${sec(result.curlPull)}  RSS idle ${mb(result.idleRss)} peak ${mb(result.peakRss)}`);
        } finally {
          await s.stop();
        }
      }
    }

    const m = (name: Server['name'], key: keyof Round): number => median(results[name].map((x) => x[key]));
    console.log(`\nmedians over ${rounds} rounds (ratio = Distribution / Slipway; > 1: Slipway faster)`);
    const labels = { push: `push ${layerMiB} MiB`, pull: `pull ${layerMiB} MiB`, small: `${smallCount} parallel small pushes`, curlPush: `curl push ${layerMiB} MiB`, curlPull: `curl pull ${layerMiB} MiB` };
    for (const key of ['push', 'pull', 'small', 'curlPush', 'curlPull'] as const) {
      const label = labels[key];
      console.log(`${label.padEnd(26)} slipway ${sec(m('slipway', key))}  distribution ${sec(m('distribution', key))}  ratio ${(m('distribution', key) / m('slipway', key)).toFixed(2)}`);
    }
    console.log(`skopeo alone, oci layout → dir, no server: ${sec(median(alone))} (what any server's skopeo push or pull takes at least)`);
    for (const name of ['slipway', 'distribution'] as const) {
      const above = median(results[name].map((x) => x.peakRss - x.idleRss));
      console.log(`${name.padEnd(12)} RSS during the big push: idle ${mb(m(name, 'idleRss'))}, peak ${mb(m(name, 'peakRss'))}, ${mb(above)} above idle`);
    }
  } finally {
    await removeDir(work);
  }
}

await main();
