// What every keeper of encrypted rows shares (project secrets, forge links, notification
// hooks): the store, the instance's secrets key, and one way to seal a value bound to where
// it is kept (the AAD), so a ciphertext copied to another row or project does not open.
import type { Store } from '../store/store.ts';
import { decryptSecret, encryptSecret } from './secrets-crypto.ts';

export class SealedRecords {
  protected readonly store: Store;
  readonly #key: Buffer;

  constructor(store: Store, key: Buffer) {
    this.store = store;
    this.#key = key;
  }

  protected seal(aad: string, value: string): string {
    return encryptSecret(this.#key, aad, value);
  }

  protected open(aad: string, sealed: string): string {
    return decryptSecret(this.#key, aad, sealed);
  }
}
