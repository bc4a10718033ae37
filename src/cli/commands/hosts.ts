import type { Command } from '../command.ts';
import { clientHelp, clientOptions, clientFor } from '../command.ts';
import { CliError } from '../client.ts';
import { ago, printList } from '../output.ts';

interface KnownHostView {
  address: string;
  keyType: string;
  fingerprint: string;
  firstSeenAt: string;
}

const usage = 'slipway hosts key | list | forget HOST:PORT';

export const hostsCommand: Command = {
  name: 'hosts',
  summary: 'SSH deploy hosts: the key to install on them, pinned host keys',
  usage: 'key | list | forget HOST:PORT [--json]',
  help: `  key            print Slipway's public key: add it to ~/.ssh/authorized_keys of the deploy user on each host
  list           host keys pinned on first contact
  forget A       drop the pin of HOST:PORT (after the host was rebuilt; admins)
${clientHelp}`,
  options: clientOptions,
  async run(values, [action, address]) {
    const client = clientFor(values);
    const json = Boolean(values.json);
    if (action === 'key') {
      const { publicKey } = await client.json<{ publicKey: string }>('GET', '/api/hosts/key');
      process.stdout.write(json ? `${JSON.stringify({ publicKey })}\n` : `${publicKey}\n`);
      return 0;
    }
    if (action === 'list') {
      const hosts = await client.json<KnownHostView[]>('GET', '/api/hosts');
      printList(hosts, json, 'no SSH host contacted yet', ['HOST', 'KEY', 'FINGERPRINT', 'FIRST SEEN'], (h) => [h.address, h.keyType, h.fingerprint, ago(h.firstSeenAt)]);
      return 0;
    }
    if (action === 'forget' && address) {
      const result = await client.json<unknown>('DELETE', `/api/hosts/${encodeURIComponent(address)}`);
      process.stdout.write(json ? `${JSON.stringify(result)}\n` : `forgot the host key of ${address}; the next connection pins the key it presents\n`);
      return 0;
    }
    throw new CliError(`usage: ${usage}`, 2);
  },
};
