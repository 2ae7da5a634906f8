import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signWebhook(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Constant-time check of a signature header against each valid secret (several during a
 * rotation). Lengths are compared first because `timingSafeEqual` throws on unequal lengths;
 * the length of a well-formed signature is public anyway.
 */
export function verifyWebhookSignature(secrets: readonly string[], timestamp: string, body: Buffer, header: string): boolean {
  const given = Buffer.from(header, 'utf8');
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signWebhook(secret, timestamp, body), 'utf8');
    // Every secret is checked (no early exit), so timing does not reveal which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
