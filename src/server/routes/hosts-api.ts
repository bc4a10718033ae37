// SSH deploy hosts: the platform's public key to install on them, the host keys pinned on
// first contact, and (admins) forgetting a pin after a host was rebuilt.
import type { Router } from '../http.ts';
import { sendJson } from '../http.ts';
import type { Store } from '../../store/store.ts';
import { ensurePlatformKey } from '../../deploy/targets/ssh/platform-key.ts';
import { SlipwayError } from '../../core/errors.ts';
import { requestUser, requireAdmin } from './request-user.ts';

export function registerHostsApi(router: Router, deps: { store: Store; dataDir: string }): void {
  const { store } = deps;
  router
    .on('GET', '/api/hosts/key', async ({ res }) => {
      const { publicKey } = await ensurePlatformKey(deps.dataDir);
      sendJson(res, 200, { publicKey });
    })
    .on('GET', '/api/hosts', async ({ res }) => {
      const hosts = await store.knownHosts.list();
      sendJson(res, 200, hosts.map((h) => ({ address: h.address, keyType: h.key_type, fingerprint: h.fingerprint, firstSeenAt: h.first_seen_at })));
    })
    .on('DELETE', '/api/hosts/:address', async ({ req, res, params }) => {
      requireAdmin(await requestUser(req, store.users), 'forget a host key');
      const address = params.address!;
      if (!(await store.knownHosts.forget(address))) throw new SlipwayError('NOT_FOUND', `no host key is pinned for "${address}" (see slipway hosts list)`);
      sendJson(res, 200, { address, forgotten: true });
    });
}
