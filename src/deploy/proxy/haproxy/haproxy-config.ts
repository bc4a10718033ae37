// haproxy.cfg for one environment's proxy on a host, and the runtime-API exchanges that
// switch it. Two server slots, blue and green: a deploy points the idle slot at the new
// container and makes it the only one taking new requests, so a switch is a runtime change,
// not a reload: client connections (keep-alive included) are never touched, and requests in
// flight to the old container finish on it.

interface HaproxySettings {
  /** Port published on the host. */
  publish: number;
  /** Address to listen on; default every address. */
  bind?: string;
  /** The container serving now, if any (written so a restarted proxy serves it again). */
  active?: { port: number };
  /** Where the proxy's admin socket lives inside its container. */
  socket: string;
}

const slots = ['blue', 'green'] as const;
export type Slot = (typeof slots)[number];

export function haproxyConfig(s: HaproxySettings): string {
  const server = (slot: Slot, port: number | undefined) =>
    `  server ${slot} 127.0.0.1:${port ?? 1}${port === undefined ? ' disabled' : ''}`;
  return [
    '# Written by Slipway: one environment\'s proxy. Slipway switches it through the admin socket.',
    'global',
    `  stats socket ${s.socket} mode 600 level admin`,
    '  hard-stop-after 30s',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 10s',
    '  timeout tunnel 1h',
    '  option forwardfor',
    // A request that could not reach a container (it just stopped) is sent again, to the
    // other slot if need be: safe, since nothing reached the app.
    '  retries 3',
    '  retry-on conn-failure empty-response',
    '  option redispatch 1',
    'frontend web',
    `  bind ${s.bind ?? ''}:${s.publish}`,
    '  http-request set-header X-Forwarded-Proto http',
    '  http-request set-header X-Forwarded-Host %[req.hdr(host)]',
    '  default_backend app',
    'backend app',
    server('blue', s.active?.port),
    server('green', undefined),
    '',
  ].join('\n');
}

export interface SlotState {
  slot: Slot;
  /** "UP", "MAINT", "DRAIN", … as `show stat` prints it. */
  status: string;
  port: number;
  /** Requests (sessions) in flight now. */
  current: number;
}

/** Parses `show stat app 4 -1` (the backend's servers, CSV with a `# ` header). */
export function parseShowStat(csv: string): SlotState[] {
  const lines = csv.split('\n').filter((l) => l.trim());
  const header = lines[0]?.replace(/^#\s*/, '').split(',') ?? [];
  const col = (name: string) => header.indexOf(name);
  const out: SlotState[] = [];
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const slot = f[col('svname')] as Slot;
    if (!slots.includes(slot)) continue;
    const addr = f[col('addr')] ?? '';
    out.push({ slot, status: f[col('status')] ?? '', port: Number(addr.split(':').pop()), current: Number(f[col('scur')] ?? 0) });
  }
  return out;
}
