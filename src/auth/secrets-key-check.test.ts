import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { openDatabase, migrate } from '../store/database.ts';
import { createStore } from '../store/store.ts';
import { isSlipwayError } from '../core/errors.ts';
import { checkSecretsKey } from './secrets-key-check.ts';

test('a server whose secrets key is not the installation\'s refuses to start, naming its key file', async () => {
  const db = openDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  const store = createStore(db);
  const key = randomBytes(32);
  await checkSecretsKey(store, key, '/srv/a/secrets.key');
  await checkSecretsKey(store, key, '/srv/b/secrets.key');
  await assert.rejects(checkSecretsKey(store, randomBytes(32), '/srv/c/secrets.key'), (e) => isSlipwayError(e, 'CONFIG_INVALID') && /\/srv\/c\/secrets\.key: not the key this installation's secrets are encrypted with/.test(e.message));
  await db.destroy();
});
