// How a job container reaches the Slipway server. The server listens on the loopback, which
// a container cannot reach (its 127.0.0.1 is its own), and giving jobs the host's network
// or slirp4netns' allow_host_loopback would open every loopback port (deployed apps, the
// proxies, other jobs' services). Instead the runner listens on the job network's gateway
// (the host's address on the job's own bridge) and pipes each connection to the server's
// port and nowhere else; it accepts only connections from the job network's subnet, so
// other containers cannot use it. The job's `github.server_url` is this listener's URL.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { runToolOrThrow } from '../../../build/run-tool.ts';
import { SlipwayError } from '../../../core/errors.ts';

export interface ServerForward {
  /** The server's URL as steps in the job container reach it. */
  url: string;
  close(): Promise<void>;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when `url` names this machine's loopback, which a container cannot reach. */
export function needsForward(url: URL): boolean {
  return loopbackHosts.has(url.hostname) || url.hostname.startsWith('127.');
}

/** The IPv4 subnet and gateway of a network, as the engine reports them. */
export async function networkGateway(engine: string, network: string): Promise<{ subnet: string; gateway: string }> {
  const format = engine === 'docker'
    ? '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{"\\n"}}{{end}}'
    : '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{"\\n"}}{{end}}';
  const out = await runToolOrThrow(engine, ['network', 'inspect', '--format', format, network]);
  for (const line of out.split('\n')) {
    const [subnet, gateway] = line.trim().split(' ');
    if (subnet && gateway && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(subnet)) return { subnet, gateway };
  }
  throw new SlipwayError('EXEC_FAILED', `network ${network} has no IPv4 subnet with a gateway (${engine} network inspect said: ${out.trim() || 'nothing'})`);
}

const ipv4 = (address: string): number | undefined => {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  return m ? m.slice(1).reduce((n, part) => n * 256 + Number(part), 0) : undefined;
};

/** Whether `address` lies in the IPv4 `subnet` (CIDR). */
export function inSubnet(address: string, subnet: string): boolean {
  const [base, bits] = subnet.split('/');
  const a = ipv4(address);
  const b = ipv4(base ?? '');
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
}

const loopbackV4 = (host: string) => /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * The loopback address a forwarded connection comes from: 127.b.c.d for a container at
 * a.b.c.d (all of 127/8 is this machine's). The server then tells jobs apart from each
 * other and from the admin's own CLI on 127.0.0.1: a job that keeps failing to sign in
 * gets only its own address locked out by the failed-authentication limit, and the audit
 * log shows which container it was.
 */
export function loopbackTwin(address: string): string {
  const parts = address.replace(/^::ffff:/, '').split('.');
  const twin = `127.${parts.slice(1).join('.')}`;
  return parts.length === 4 && twin !== '127.0.0.1' ? twin : '127.0.0.2';
}

/**
 * Listens on the gateway of `network` (its bridge must exist: a container is attached) and
 * forwards to `target`'s host and port. The returned URL keeps the target's path.
 */
export async function forwardServer(engine: string, network: string, target: URL): Promise<ServerForward> {
  const { subnet, gateway } = await networkGateway(engine, network);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  // `localhost` as 127.0.0.1: the connection's own address (loopbackTwin) is IPv4.
  const host = target.hostname === 'localhost' ? '127.0.0.1' : target.hostname.replace(/^\[|\]$/g, '');
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (!inSubnet(client.remoteAddress ?? '', subnet)) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host, port, ...(loopbackV4(host) && { localAddress: loopbackTwin(client.remoteAddress!) }) });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new SlipwayError('EXEC_FAILED', `cannot listen on ${gateway} (gateway of the job network ${network}) for the job's connection to Slipway: ${err.message}`)));
    server.listen(0, gateway, () => resolve());
  });
  const address = server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  const url = new URL(target.href);
  url.hostname = gateway;
  url.port = String(listening);
  return {
    url: url.href.replace(/\/$/, ''),
    close: () => new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    }),
  };
}
