// Every server of an installation must encrypt with the same secrets key (several servers on
// one database each read their own key file). The first start stores a value encrypted with
// its key; a server whose key cannot decrypt it refuses to start, instead of writing secrets
// the other servers cannot read and failing every job that needs one.
import type { Store } from '../store/store.ts';
import { SlipwayError } from '../core/errors.ts';
import { decryptSecret, encryptSecret } from './secrets-crypto.ts';

const settingKey = 'secrets-key-check';

export async function checkSecretsKey(store: Store, key: Buffer, file: string): Promise<void> {
  const stored = await store.installationSettings.getOrSet(settingKey, encryptSecret(key, settingKey, 'slipway'));
  try {
    decryptSecret(key, settingKey, stored);
  } catch {
    throw new SlipwayError('CONFIG_INVALID', `${file}: not the key this installation's secrets are encrypted with (another server or an earlier start used a different one); every server needs the same key (secrets.keyFile, docs/scaling.md)`);
  }
}
