/** How sensitive values are shown in the API, the dashboard and logs. */

/** The mask shown instead of a sensitive value: always six dots, whatever the value. */
export const SECRET_MASK = '••••••';

/**
 * Returns {@link SECRET_MASK} for any value: the result never depends on the value, so it
 * reveals neither its length nor whether it is empty.
 */
export function maskSecret(_value?: unknown): string {
  return SECRET_MASK;
}
