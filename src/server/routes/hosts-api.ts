// SSH deploy hosts: the platform's public key to install on them, the host keys pinned on
// first contact, and (admins) forgetting a pin after a host was rebuilt.
import { z } from 'zod';
import type { Router } from '../http/router.ts';
import { sendJson } from '../http/reply.ts';
import type { Store } from '../../store/store.ts';
import { ensurePlatformKey } from '../../deploy/targets/ssh/platform-key.ts';
import { SlipwayError } from '../../core/errors.ts';

const hostParams = z.object({ address: z.string().describe('host:port, as `slipway hosts list` shows it') });

export function registerHostsApi(router: Router, deps: { store: Store; dataDir: string }): void {
  const { store } = deps;
  router
    .route({ method: 'GET', path: '/api/hosts/key', summary: "The platform's SSH public key, to install on deploy hosts", permission: 'hosts.read' }, async ({ res }) => {
      const { publicKey } = await ensurePlatformKey(deps.dataDir);
      sendJson(res, 200, { publicKey });
    })
    .route({ method: 'GET', path: '/api/hosts', summary: 'The host keys pinned on first contact', permission: 'hosts.read' }, async ({ res }) => {
      const hosts = await store.knownHosts.list();
      sendJson(res, 200, hosts.map((h) => ({ address: h.address, keyType: h.key_type, fingerprint: h.fingerprint, firstSeenAt: h.first_seen_at })));
    })
    .route(
      { method: 'DELETE', path: '/api/hosts/:address', summary: "Forget a host's pinned key, after the host was rebuilt", permission: 'hosts.forget', params: hostParams },
      async ({ res, params }) => {
        const { address } = params;
        if (!(await store.knownHosts.forget(address))) throw new SlipwayError('NOT_FOUND', `no host key is pinned for "${address}" (see slipway hosts list)`);
        sendJson(res, 200, { address, forgotten: true });
      },
    );
}
