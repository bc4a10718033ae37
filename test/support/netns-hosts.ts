// Test "servers" for SSH deploy targets, made on this machine (root only). Each host is a network
// namespace with its own address, a real OpenSSH sshd on port 22, and Podman state of its own,
// so the deploy engine can deploy to `ssh://root@<ip>` as if to separate machines.
//
// How a host is made, and why:
// - Network: `ip netns add slw-<id>-<n>`, a veth pair (root side `slw<id>r<n>` = 10.X.n.1/24,
//   `eth0` = 10.X.n.2/24 in the namespace, lo up, default route via 10.X.n.1). X is 200–249,
//   one not on an interface of this machine and reserved by a link named `slwnet<X>`, so
//   concurrent runs do not collide.
// - Not `ip netns exec`: it remounts /sys for the namespace, which hides /sys/fs/cgroup, and
//   podman then fails with "runc create failed: no cgroup mount found in mountinfo" (cgroups
//   v1, cgroupfs manager). Instead each host gets a persistent mount namespace (bound on a file
//   under a private mount, like `ip netns` does for network namespaces), entered together with
//   the network namespace by `nsenter`. sshd runs in it, so every ssh session, conmon and podman
//   command on the host shares one view of the mounts that podman makes (overlay, shm), and
//   none of them appear in, or are left behind in, the root mount namespace.
// - That mount namespace gets a private tmpfs on /run and on /dev/shm. Rootful podman 4.3 keeps
//   state at fixed places there that containers.conf cannot move: the netavark IPAM database
//   and lock (/run/containers/networks), runc's state (/run/runc), container netns files
//   (/run/netns), the default auth file (/run/containers/0) and the SHM lock segment
//   (/dev/shm/libpod_lock). The sshd privilege-separation directory /run/sshd is made there.
//   The rest of the file system (/tmp, /etc, ...) is shared with this machine.
// - Podman: CONTAINERS_STORAGE_CONF with the host's own graphroot and runroot, and a
//   CONTAINERS_CONF made of the project's containers.conf (containerToolEnv(): runc, ulimits)
//   plus the host's [engine] tmp_dir, volume_path, static_dir, file events log and [network]
//   network_config_dir. sshd's `SetEnv` gives them, SLIPWAY_HOME and PATH to every session.
// - Networking needed no extra sysctl: netavark sets net.ipv4.ip_forward=1 in the namespace and
//   route_localnet=1 on its bridge, so `--publish 127.0.0.1::PORT` answers on the host's
//   loopback; `--network host` binds in the host's namespace.
// - sshd_config has `StrictModes no` because the host files live under the world-writable
//   temp directory, which StrictModes refuses for AuthorizedKeysFile.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { SlipwayError } from '../../src/core/errors.ts';
import { containerToolEnv } from '../../src/core/tool-env.ts';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TestHost {
  name: string;
  /** Address of the host inside its netns, reachable from the root netns. */
  ip: string;
  /** `ssh://root@${ip}` (port 22). */
  url: string;
  netns: string;
  /** SLIPWAY_HOME of ssh sessions on this host. */
  home: string;
  /** Runs a command as if on the host (its namespaces and podman environment); for test assertions. */
  exec(argv: string[]): Promise<CommandResult>;
  podman(args: string[]): Promise<CommandResult>;
  /** Kills its sshd and open ssh sessions: connecting to :22 is then refused. */
  stopSsh(): Promise<void>;
  /** Starts sshd again, with the same host key. */
  startSsh(): Promise<void>;
  /** `SHA256:...` of its ed25519 host key. */
  hostKeyFingerprint(): Promise<string>;
  /** Replaces the host key (for known-host mismatch tests) and restarts sshd. */
  regenerateHostKey(): Promise<void>;
}

const sshdBinary = '/usr/sbin/sshd';
const hostPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Runs inside a new host mount namespace: drops the copies of this machine's namespace files,
 * container overlays and /run mounts (so they do not keep those alive), then gives the host its
 * own /run and /dev/shm.
 */
const mountNamespaceSetup = `set -e
awk '{ t = ""; for (i = 7; i <= NF; i++) if ($i == "-") { t = $(i + 1); break } if (t == "nsfs" || t == "overlay" || $5 ~ /^\\/run\\//) print $5 }' /proc/self/mountinfo |
  sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
mount -t tmpfs -o mode=0755,nosuid,nodev slipway-run /run
mkdir -m 0755 /run/sshd
mkdir -m 1777 /run/lock
mount -t tmpfs -o mode=1777,nosuid,nodev slipway-shm /dev/shm
`;

async function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CommandResult> {
  const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => {
    child.on('error', (err) => (stderr += `${err.message}\n`));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 127), stdout, stderr }));
  });
}

async function runOrThrow(command: string, args: string[]): Promise<CommandResult> {
  const result = await run(command, args);
  if (result.exitCode !== 0) {
    throw new SlipwayError('EXEC_FAILED', `test hosts: \`${command} ${args.join(' ')}\` exited with ${result.exitCode}: ${result.stderr.trim()}`);
  }
  return result;
}

/**
 * Reserves a second octet X (200–249) such that no address of this machine is in 10.X.0.0/16.
 * Concurrent runs could both see the same X free, so the reservation is a link named after X
 * (`slwnet<X>`, a veth pair with no address): creating it fails if another run holds X.
 */
async function reserveSubnet(): Promise<{ subnet: number; link: string }> {
  const { stdout } = await runOrThrow('ip', ['-4', '-o', 'addr', 'show']);
  const used = new Set([...stdout.matchAll(/inet 10\.(\d+)\./g)].map((m) => Number(m[1])));
  const free = Array.from({ length: 50 }, (_, i) => 200 + i).filter((x) => !used.has(x));
  while (free.length > 0) {
    const [subnet] = free.splice(randomInt(free.length), 1) as [number];
    const link = `slwnet${subnet}`;
    const result = await run('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`]);
    if (result.exitCode === 0) return { subnet, link };
    if (!result.stderr.includes('File exists')) throw new SlipwayError('EXEC_FAILED', `test hosts: ip link add ${link}: ${result.stderr.trim()}`);
  }
  throw new SlipwayError('CONFLICT', 'test hosts: every 10.X.0.0/16 with X in 200–249 is in use on this machine');
}

/** The project's containers.conf with the host's own settings added to their tables. */
function withHostSettings(base: string, settings: Record<string, Record<string, string>>): string {
  const lines = base.split('\n');
  const tableStart = (table: string) => lines.findIndex((l) => l.trim() === `[${table}]`);
  for (const [table, values] of Object.entries(settings)) {
    const entries = Object.entries(values).map(([key, value]) => `${key} = ${JSON.stringify(value)}`);
    const start = tableStart(table);
    if (start === -1) {
      lines.push('', `[${table}]`, ...entries);
      continue;
    }
    const next = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
    const body = lines.slice(start + 1, next === -1 ? undefined : next);
    for (const key of Object.keys(values)) {
      if (body.some((l) => new RegExp(`^\\s*${key}\\s*=`).test(l))) {
        throw new SlipwayError('CONFIG_INVALID', `test hosts: containers.conf already sets [${table}] ${key}; a test host must set its own`);
      }
    }
    lines.splice(start + 1, 0, ...entries);
  }
  return `${lines.join('\n')}\n`;
}

/** Pids of processes in the given mount or network namespace (`mnt:[inode]`, `net:[inode]`). */
async function processesIn(namespaces: { mnt?: string; net?: string }, exe?: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const [mnt, net, path] = await Promise.all(['ns/mnt', 'ns/net', 'exe'].map((f) => readlink(`/proc/${entry}/${f}`).catch(() => undefined)));
    if (exe !== undefined && path !== exe) continue;
    if ((namespaces.mnt !== undefined && mnt === namespaces.mnt) || (namespaces.net !== undefined && net === namespaces.net)) found.push(Number(entry));
  }
  return found;
}

/** SIGTERM, then SIGKILL after 3 s; gives up after 6 s. Zombies count as gone (pid 1 reaps them). */
async function terminate(pids: number[]): Promise<void> {
  const alive = async (pid: number) => {
    // proc(5): the state letter follows "pid (comm) "; comm may contain anything.
    const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    return text !== '' && text.charAt(text.lastIndexOf(')') + 2) !== 'Z';
  };
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  };
  pids.forEach((pid) => signal(pid, 'SIGTERM'));
  const start = Date.now();
  for (let left = pids; left.length > 0 && Date.now() - start < 6000; ) {
    left = (await Promise.all(left.map(async (pid) => ((await alive(pid)) ? pid : undefined)))).filter((p) => p !== undefined);
    if (Date.now() - start > 3000) left.forEach((pid) => signal(pid, 'SIGKILL'));
    if (left.length > 0) await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether something accepts TCP connections on ip:port. */
async function connects(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface HostPlan {
  name: string;
  n: number;
  subnet: number;
  runId: string;
  base: string;
  anchors: string;
  containersConf: string;
  authorizedKey: string;
}

interface HostRuntime {
  host: TestHost;
  destroy(): Promise<void>;
}

async function createHost(plan: HostPlan, register: (runtime: HostRuntime) => void): Promise<void> {
  const { name, n, subnet } = plan;
  const dir = join(plan.base, name);
  const ip = `10.${subnet}.${n}.2`;
  const rootIp = `10.${subnet}.${n}.1`;
  const netns = `slw-${plan.runId}-${n}`;
  const veth = `slw${plan.runId}r${n}`;
  const anchor = join(plan.anchors, name);
  const paths = {
    home: join(dir, 'home'),
    graphroot: join(dir, 'storage'),
    runroot: join(dir, 'run'),
    tmp: join(dir, 'tmp'),
    volumes: join(dir, 'volumes'),
    static: join(dir, 'libpod'),
    networks: join(dir, 'networks'),
    ssh: join(dir, 'ssh'),
  };
  const files = {
    containersConf: join(dir, 'containers.conf'),
    storageConf: join(dir, 'storage.conf'),
    sshdConfig: join(paths.ssh, 'sshd_config'),
    hostKey: join(paths.ssh, 'ssh_host_ed25519_key'),
    authorizedKeys: join(paths.ssh, 'authorized_keys'),
  };
  const hostEnv = {
    CONTAINERS_CONF: files.containersConf,
    CONTAINERS_STORAGE_CONF: files.storageConf,
    SLIPWAY_HOME: paths.home,
    // The host's own home: bash sources ~/.bashrc for every SSH command, and this machine's
    // root .bashrc (pyenv init) costs ~180 ms a command, which a deploy user's shell on a
    // real server would not. Slipway's own per-command cost is what the tests measure.
    HOME: paths.home,
    PATH: hostPath,
  };
  const state = { netns: false, veth: false, anchor: false, mntNs: undefined as string | undefined, netNs: undefined as string | undefined };
  let sshd: ChildProcess | undefined;
  let sshdLog = '';

  const enter = (argv: string[]) => ['--mount=' + anchor, `--net=/run/netns/${netns}`, '--', ...argv];
  const exec = (argv: string[]) => run('nsenter', enter(argv), { env: hostEnv, cwd: '/' });

  async function startSsh(): Promise<void> {
    if (sshd) return;
    sshdLog = '';
    const child = spawn('nsenter', enter([sshdBinary, '-D', '-e', '-f', files.sshdConfig]), { env: { PATH: hostPath }, stdio: ['ignore', 'ignore', 'pipe'] });
    sshd = child;
    const listening = new Promise<void>((resolve, reject) => {
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        sshdLog = (sshdLog + chunk).slice(-8192);
        if (sshdLog.includes('Server listening on 0.0.0.0 port 22')) resolve();
      });
      child.once('error', reject);
      child.once('exit', (code, sig) => reject(new SlipwayError('EXEC_FAILED', `test host ${name}: sshd exited (${code ?? sig}) before listening: ${sshdLog.trim()}`)));
    });
    child.once('exit', () => {
      if (sshd === child) sshd = undefined;
    });
    await listening;
    if (!(await connects(ip, 22))) throw new SlipwayError('EXEC_FAILED', `test host ${name}: sshd says it listens but ${ip}:22 refuses connections`);
  }

  async function stopSsh(): Promise<void> {
    const child = sshd;
    sshd = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    // Sessions outlive the listener; end them too, so the host is really unreachable.
    if (state.mntNs) await terminate(await processesIn({ mnt: state.mntNs }, sshdBinary));
  }

  async function writeHostKey(): Promise<void> {
    await rm(files.hostKey, { force: true });
    await rm(`${files.hostKey}.pub`, { force: true });
    await runOrThrow('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `slipway-test-${name}`, '-f', files.hostKey]);
  }

  async function destroy(): Promise<void> {
    const problems: string[] = [];
    if (state.anchor) {
      // Stop and remove everything podman holds (containers first: `system reset` waits the stop timeout).
      for (const args of [['pod', 'rm', '-af', '-t', '0'], ['rm', '-af', '-t', '0'], ['system', 'reset', '-f']]) {
        const result = await exec(['podman', ...args]);
        if (result.exitCode !== 0) problems.push(`podman ${args.join(' ')}: ${result.stderr.trim()}`);
      }
    }
    await stopSsh();
    // Whatever else was started on the host (session leftovers, helpers started over ssh).
    if (state.mntNs || state.netNs) await terminate(await processesIn({ mnt: state.mntNs, net: state.netNs }));
    if (state.anchor) {
      const result = await run('umount', [anchor]);
      if (result.exitCode !== 0) problems.push(`umount ${anchor}: ${result.stderr.trim()}`);
      state.anchor = false;
    }
    if (state.veth) {
      await run('ip', ['link', 'del', veth]);
      state.veth = false;
    }
    if (state.netns) {
      const result = await run('ip', ['netns', 'del', netns]);
      if (result.exitCode !== 0) problems.push(`ip netns del ${netns}: ${result.stderr.trim()}`);
      state.netns = false;
    }
    if (problems.length > 0) throw new SlipwayError('EXEC_FAILED', `test host ${name}: cleanup: ${problems.join('; ')}`);
  }

  const host: TestHost = {
    name,
    ip,
    url: `ssh://root@${ip}`,
    netns,
    home: paths.home,
    exec,
    podman: (args) => exec(['podman', ...args]),
    stopSsh,
    startSsh,
    async hostKeyFingerprint() {
      const { stdout } = await runOrThrow('ssh-keygen', ['-l', '-f', `${files.hostKey}.pub`]);
      const fingerprint = stdout.split(' ')[1];
      if (!fingerprint?.startsWith('SHA256:')) throw new SlipwayError('EXEC_FAILED', `test host ${name}: unexpected ssh-keygen -l output: ${stdout.trim()}`);
      return fingerprint;
    },
    async regenerateHostKey() {
      await stopSsh();
      await writeHostKey();
      await startSsh();
    },
  };
  register({ host, destroy });

  // Network namespace and link.
  await runOrThrow('ip', ['netns', 'add', netns]);
  state.netns = true;
  await runOrThrow('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
  state.veth = true;
  await runOrThrow('ip', ['addr', 'add', `${rootIp}/24`, 'dev', veth]);
  await runOrThrow('ip', ['link', 'set', veth, 'up']);
  await runOrThrow('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  await runOrThrow('ip', ['-n', netns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
  await runOrThrow('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
  await runOrThrow('ip', ['-n', netns, 'route', 'add', 'default', 'via', rootIp]);
  state.netNs = `net:[${(await stat(`/run/netns/${netns}`)).ino}]`;

  // Mount namespace.
  await Promise.all(Object.values(paths).map((p) => mkdir(p, { recursive: true, mode: 0o700 })));
  await writeFile(anchor, '');
  await runOrThrow('nsenter', [`--net=/run/netns/${netns}`, 'unshare', `--mount=${anchor}`, '--propagation', 'private', 'sh', '-c', mountNamespaceSetup]);
  state.anchor = true;
  state.mntNs = `mnt:[${(await stat(anchor)).ino}]`;

  // Podman.
  await writeFile(files.storageConf, `[storage]\ndriver = "overlay"\ngraphroot = ${JSON.stringify(paths.graphroot)}\nrunroot = ${JSON.stringify(paths.runroot)}\n`);
  await writeFile(files.containersConf, withHostSettings(plan.containersConf, {
    engine: { tmp_dir: paths.tmp, volume_path: paths.volumes, static_dir: paths.static, events_logger: 'file' },
    network: { network_config_dir: paths.networks },
  }));

  // sshd.
  await writeHostKey();
  await writeFile(files.authorizedKeys, `${plan.authorizedKey.trim()}\n`, { mode: 0o600 });
  const setEnv = Object.entries(hostEnv).map(([k, v]) => `${k}=${v}`).join(' ');
  await writeFile(files.sshdConfig, [
    'Port 22',
    `HostKey ${files.hostKey}`,
    `PidFile ${join(paths.ssh, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    `AuthorizedKeysFile ${files.authorizedKeys}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'MaxSessions 64',
    'AllowTcpForwarding yes',
    'AllowStreamLocalForwarding yes',
    'StreamLocalBindUnlink yes',
    'Subsystem sftp internal-sftp',
    `SetEnv ${setEnv}`,
    '',
  ].join('\n'));
  await startSsh();
}

/** Starts `count` hosts whose root accepts `authorizedKey` (one OpenSSH public key line). Call close() when done. */
export async function startTestHosts(options: { count: number; authorizedKey: string }): Promise<{ hosts: TestHost[]; close(): Promise<void> }> {
  const { count, authorizedKey } = options;
  if (!Number.isInteger(count) || count < 1 || count > 254) throw new SlipwayError('BAD_REQUEST', `startTestHosts: count must be an integer from 1 to 254, got ${count}`);
  if (!/^(ssh-|ecdsa-|sk-)\S+ \S+/.test(authorizedKey.trim()) || authorizedKey.trim().includes('\n')) {
    throw new SlipwayError('BAD_REQUEST', 'startTestHosts: authorizedKey must be one OpenSSH public key line ("ssh-ed25519 AAAA... comment")');
  }
  const runId = randomBytes(3).toString('hex');
  const base = await mkdtemp(join(tmpdir(), `slipway-hosts-${runId}-`));
  if (/[\s"'\\]/.test(base)) throw new SlipwayError('CONFIG_INVALID', `startTestHosts: temp directory ${base} has characters sshd_config SetEnv cannot hold`);
  const anchors = join(base, 'ns');
  const runtimes: HostRuntime[] = [];
  let anchorsMounted = false;
  let reservation: { subnet: number; link: string } | undefined;
  let closing: Promise<void> | undefined;

  async function closeAll(): Promise<void> {
    const results = await Promise.allSettled(runtimes.map((r) => r.destroy()));
    if (reservation) {
      await runOrThrow('ip', ['link', 'del', reservation.link]);
      reservation = undefined;
    }
    if (anchorsMounted) {
      await runOrThrow('umount', [anchors]);
      anchorsMounted = false;
    }
    await rm(base, { recursive: true, force: true });
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    if (failures.length > 0) throw new SlipwayError('EXEC_FAILED', failures.join('\n'));
  }
  const close = () => (closing ??= closeAll());

  try {
    // Namespace files can only be bound under a private mount (as /run/netns is for ip netns).
    await mkdir(anchors);
    await runOrThrow('mount', ['--bind', anchors, anchors]);
    anchorsMounted = true;
    await runOrThrow('mount', ['--make-private', anchors]);
    const containersConf = await readFile(containerToolEnv().CONTAINERS_CONF ?? '', 'utf8');
    reservation = await reserveSubnet();
    const { subnet } = reservation;
    await Promise.all(Array.from({ length: count }, (_, i) => createHost(
      { name: `h${i + 1}`, n: i + 1, subnet, runId, base, anchors, containersConf, authorizedKey },
      (runtime) => runtimes.push(runtime),
    )));
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  return { hosts: runtimes.map((r) => r.host), close };
}
