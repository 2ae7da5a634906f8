/**
 * `@vecron/sdk/crypto` — encryption of sensitive variables at rest (AES-256-GCM) and masking for display.
 *
 * @example
 * ```ts
 * import { createSecretBox, maskSecret } from '@vecron/sdk/crypto';
 *
 * const box = createSecretBox({ current: newKey, previous: [oldKey] });  // 32 bytes, hex or base64
 * const stored = box.encrypt('s3cret', 'variable:job-1:API_TOKEN');     // bound to this variable
 * box.decrypt(stored, 'variable:job-1:API_TOKEN');                       // 's3cret'
 * if (box.needsReencrypt(stored)) await save(box.reencrypt(stored, 'variable:job-1:API_TOKEN'));
 * maskSecret('s3cret');                                                  // '••••••'
 * ```
 *
 * Exports: {@link createSecretBox}, {@link isSecretBoxCiphertext}, {@link generateSecretKey},
 * {@link maskSecret}, {@link SECRET_MASK}, {@link maskCredentials}, {@link maskCredentialValue},
 * {@link isCredentialFieldName}, {@link findCredentials}, {@link restoreMaskedValue}, and the types
 * {@link CredentialFinding}, {@link secretForms}, {@link createSecretScrubber}, {@link scrubDeep},
 * {@link MIN_SCRUB_LENGTH}, {@link SecretBox}, {@link SecretBoxKeys},
 * {@link SecretKeyInput}.
 *
 * @packageDocumentation
 */
export { createSecretBox, isSecretBoxCiphertext, generateSecretKey } from './secret-box.js';
export type { SecretBox, SecretBoxKeys } from './secret-box.js';
export type { SecretKeyInput } from './keys.js';
export { maskSecret, SECRET_MASK } from './mask.js';
export { maskCredentials, maskCredentialValue, isCredentialFieldName, findCredentials, restoreMaskedValue, restoreMaskedSecrets } from './credentials.js';
export type { CredentialFinding } from './credentials.js';
export { secretForms, createSecretScrubber, scrubDeep, MIN_SCRUB_LENGTH } from './scrub.js';
