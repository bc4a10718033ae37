// Host-key checking by first-seen pinning (OpenSSH's StrictHostKeyChecking=accept-new):
// the first key a host presents is recorded; any later different key is refused with an
// error that names both fingerprints, until an admin forgets the old one (a rebuilt host).
import { createHash } from 'node:crypto';
import { SlipwayError } from '../../../core/errors.ts';
import type { Store } from '../../../store/store.ts';

/** `SHA256:<unpadded base64>`, as `ssh-keygen -l` prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type a public-key blob starts with (an SSH string: uint32 length, then bytes). */
export function keyType(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

type HostKeyVerdict = { ok: true; firstSeen: boolean } | { ok: false; error: SlipwayError };

export async function checkHostKey(store: Store, url: string, address: string, keyBlob: Buffer): Promise<HostKeyVerdict> {
  const presented = fingerprint(keyBlob);
  const pinned = await store.knownHosts.get(address);
  if (!pinned) {
    const inserted = await store.knownHosts.pin({ address, key_type: keyType(keyBlob), fingerprint: presented, public_key: keyBlob.toString('base64') });
    // Lost a race with another deployment pinning the same host: check against its pin.
    if (!inserted) return checkHostKey(store, url, address, keyBlob);
    return { ok: true, firstSeen: true };
  }
  if (pinned.fingerprint === presented) return { ok: true, firstSeen: false };
  return {
    ok: false,
    error: new SlipwayError(
      'HOST_KEY_MISMATCH',
      `${url}: the host key changed. It presented ${keyType(keyBlob)} ${presented}, but ${pinned.key_type} ${pinned.fingerprint} ` +
        `was pinned when Slipway first connected (${pinned.first_seen_at}). This is what a man-in-the-middle looks like; ` +
        `if the host was rebuilt, an admin can run \`slipway hosts forget ${address}\` and deploy again.`,
    ),
  };
}
