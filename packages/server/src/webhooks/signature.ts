import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Legacy (v1) webhook signature: `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`).
 * It does not cover the delivery id; the server accepts it only while
 * `webhooks.legacy_signatures` is on, and then at most once per signature. New callers use
 * {@link signWebhookV2}.
 */
export function signWebhook(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * Webhook signature v2: `v2=<hex>` of HMAC-SHA256(secret, `${timestamp}.${deliveryId}.${body}`),
 * so a captured request cannot be re-sent under a new `X-Vecron-Delivery`.
 */
export function signWebhookV2(secret: string, timestamp: string, deliveryId: string, body: Buffer | string): string {
  return `v2=${createHmac('sha256', secret).update(`${timestamp}.${deliveryId}.`).update(body).digest('hex')}`;
}

/** What {@link verifyWebhookSignature} accepts besides v2. */
export interface WebhookSignatureOptions {
  /** The `X-Vecron-Delivery` header; a v2 signature covers it. */
  deliveryId?: string;
  /** Accept the legacy `sha256=` signature (which does not cover the delivery id). @default true */
  allowLegacy?: boolean;
}

/**
 * Constant-time check of a signature header against each valid secret (several during a
 * rotation): a `v2=` header against {@link signWebhookV2} (needs `deliveryId`), a `sha256=` header
 * against {@link signWebhook} when `allowLegacy` is not false. Lengths are compared first because
 * `timingSafeEqual` throws on unequal lengths; the length of a well-formed signature is public.
 */
export function verifyWebhookSignature(secrets: readonly string[], timestamp: string, body: Buffer, header: string, options: WebhookSignatureOptions = {}): boolean {
  const given = Buffer.from(header, 'utf8');
  const v2 = header.startsWith('v2=');
  if (v2 && options.deliveryId === undefined) return false;
  if (!v2 && options.allowLegacy === false) return false;
  let ok = false;
  for (const secret of secrets) {
    const expected = Buffer.from(v2 ? signWebhookV2(secret, timestamp, options.deliveryId!, body) : signWebhook(secret, timestamp, body), 'utf8');
    // Every secret is checked (no early exit), so timing does not reveal which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}
