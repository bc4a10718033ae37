// `ssh://user@host[:port]` as written in deploy.yml, split into what a connection needs.
import { SlipwayError } from '../../../core/errors.ts';

export interface SshAddress {
  user: string;
  host: string;
  port: number;
  /** `host:port`: the key under which the host's key is pinned (the user does not change the machine). */
  address: string;
}

export function parseSshUrl(url: string): SshAddress {
  const m = /^ssh:\/\/([a-z_][a-z0-9_.-]*)@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d+))?$/.exec(url);
  if (!m) throw new SlipwayError('BAD_REQUEST', `"${url}" is not ssh://user@host[:port]`);
  const port = m[3] ? Number(m[3]) : 22;
  const host = m[2]!.replace(/^\[|\]$/g, '');
  return { user: m[1]!, host, port, address: `${m[2]}:${port}` };
}
