import { maskCredentials, restoreMaskedSecrets } from '@vecron/sdk/crypto';

/**
 * A deep copy with every literal credential masked — credential fields (`password`,
 * `Authorization`, `X-Api-Key`, `DB_PASSWORD`, …) and credentials inside values (PEM keys, URL and
 * connection-string passwords, `?api_key=`): see `maskCredentials` in `@vecron/sdk`.
 */
export function maskSecrets<T>(value: T): T {
  return maskCredentials(value);
}

/**
 * Replaces masked values in an imported or edited definition with the value at the same path of
 * the stored job (`restoreMaskedSecrets` of `@vecron/sdk/crypto`, which the dashboard's editor uses too).
 */
export const restoreSecrets = restoreMaskedSecrets;
