import { createSecretBox } from '@vecron/sdk/crypto';
import type { SecretBox, SecretBoxKeys } from '@vecron/sdk/crypto';

/**
 * A secret box that decrypts with any of this process's keys and encrypts only with a key every
 * live process can decrypt: the first of its keys (`current`, then `previous` in order) that
 * every live process advertises. So an API process given a new `encryption_key` keeps encrypting
 * with the old one until every worker has the new key, and no worker meets a ciphertext it cannot
 * read (18 executions failed with CRYPTO_FAILED in 20 s when a process encrypted ahead of them).
 */
export interface AgreedSecretBox extends SecretBox {
  /** Id of the configured `encryption_key` (what the box encrypts with once every process has it). */
  readonly preferredKeyId: string;
  /**
   * Chooses the encrypting key from the key ids each live process advertises (this one included).
   * Returns the chosen key id. Without any process listed, or when no key of this process is known
   * to all, it stays with (or goes back to) the configured current key.
   */
  agree(liveKeyIds: readonly (readonly string[])[]): string;
}

/** Creates the box; it encrypts with the current key until {@link AgreedSecretBox.agree} says otherwise. */
export function createAgreedSecretBox(keys: SecretBoxKeys): AgreedSecretBox {
  const all = [keys.current, ...(keys.previous ?? [])];
  // One box per key as the encrypting one; each decrypts with every key.
  const boxes = all.map((k, i) => createSecretBox({ current: k, previous: all.filter((_, j) => j !== i) }));
  const ids = boxes.map((b) => b.keyId);
  let active = 0;
  const box = (): SecretBox => boxes[active]!;
  return {
    get keyId() {
      return ids[active]!;
    },
    preferredKeyId: ids[0]!,
    encrypt: (plaintext, aad) => box().encrypt(plaintext, aad),
    decrypt: (ciphertext, aad) => box().decrypt(ciphertext, aad),
    needsReencrypt: (ciphertext) => box().needsReencrypt(ciphertext),
    reencrypt: (ciphertext, aad) => box().reencrypt(ciphertext, aad),
    agree(liveKeyIds) {
      const i = liveKeyIds.length ? ids.findIndex((id) => liveKeyIds.every((known) => known.includes(id))) : 0;
      active = i === -1 ? 0 : i;
      return ids[active]!;
    },
  };
}
