// The HostShell contract over SSH: a netns test host (test/support/netns-hosts.ts) with its
// own sshd, reached with a platform key made for the test, its host key pinned in a store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, migrate } from '../../src/store/database.ts';
import { createStore } from '../../src/store/store.ts';
import { ensurePlatformKey } from '../../src/deploy/targets/ssh/platform-key.ts';
import { SshConnection } from '../../src/deploy/targets/ssh/ssh-connection.ts';
import { runHostShellContract } from '../../src/deploy/targets/host-shell.contract.ts';
import { startTestHosts } from '../support/netns-hosts.ts';

runHostShellContract({
  name: 'ssh',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-ssh-shell-'));
    const key = await ensurePlatformKey(dir);
    const db = openDatabase({ sqlitePath: join(dir, 'slipway.db') });
    await migrate(db);
    const test = await startTestHosts({ count: 1, authorizedKey: key.publicKey });
    const conn = await SshConnection.connect({ url: test.hosts[0]!.url, privateKey: key.privateKey, store: createStore(db) });
    return {
      shell: conn,
      async close() {
        conn.close();
        await test.close();
        await db.destroy();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
