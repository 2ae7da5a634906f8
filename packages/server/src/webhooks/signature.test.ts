import { describe, expect, it } from 'vitest';
import { signWebhook, signWebhookV2, verifyWebhookSignature } from './signature.js';

const body = Buffer.from('{"a":1}');

describe('webhook signatures', () => {
  it('v2 covers the delivery id: the same signature under another delivery id fails', () => {
    const sig = signWebhookV2('s', '100', 'd-1', body);
    expect(sig).toMatch(/^v2=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(['s'], '100', body, sig, { deliveryId: 'd-1' })).toBe(true);
    expect(verifyWebhookSignature(['s'], '100', body, sig, { deliveryId: 'd-2' })).toBe(false);
    expect(verifyWebhookSignature(['s'], '100', body, sig)).toBe(false);
    expect(verifyWebhookSignature(['x', 's'], '100', body, sig, { deliveryId: 'd-1', allowLegacy: false })).toBe(true);
  });

  it('the legacy signature is refused once legacy signatures are off', () => {
    const sig = signWebhook('s', '100', body);
    expect(verifyWebhookSignature(['s'], '100', body, sig, { deliveryId: 'd-1' })).toBe(true);
    expect(verifyWebhookSignature(['s'], '100', body, sig, { deliveryId: 'd-1', allowLegacy: false })).toBe(false);
  });

  it('matches the documented string to sign (the curl / Java samples compute exactly this)', () => {
    // printf '%s' '100.d-1.{"a":1}' | openssl dgst -sha256 -hmac s
    expect(signWebhookV2('s', '100', 'd-1', body)).toBe('v2=427f7a1447f6afae1f433c11c0f9070b5950cf26daac1d1c52b96dde55667fb7');
  });
});
