import { NonRetryableError, RetryAfterError, TransientError } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { HTTP_ERROR_CODES, classifyTransportError, errorForStatus } from './classify.js';

describe('errorForStatus', () => {
  it('makes 5xx and 408 retryable, other 4xx permanent with the status and an excerpt', () => {
    for (const s of [500, 502, 503, 504, 408]) {
      const e = errorForStatus(s, undefined, 'oops', 'h:1');
      expect(e).toBeInstanceOf(TransientError);
      expect(e.retryable).toBe(true);
    }
    for (const s of [400, 401, 403, 404, 422]) {
      const e = errorForStatus(s, undefined, '{"error":  "bad\n input"}', 'h:1');
      expect(e).toBeInstanceOf(NonRetryableError);
      expect(e.code).toBe(HTTP_ERROR_CODES.clientError);
      expect(e.message).toContain(`HTTP ${s}`);
      expect(e.message).toContain('{"error": "bad input"}');
      expect(e.details.status).toBe(s);
    }
  });

  it('turns 429 (and 503 with Retry-After) into RetryAfterError', () => {
    const e = errorForStatus(429, '12', '', 'h:1');
    expect(e).toBeInstanceOf(RetryAfterError);
    expect((e as RetryAfterError).retryAfterMs).toBe(12_000);
    expect(errorForStatus(503, '3', '', 'h:1')).toBeInstanceOf(RetryAfterError);
    const noHeader = errorForStatus(429, undefined, '', 'h:1');
    expect(noHeader.retryable).toBe(true);
    expect(noHeader.code).toBe(HTTP_ERROR_CODES.tooManyRequests);
  });

  it('cuts long bodies', () => {
    expect(errorForStatus(400, undefined, 'x'.repeat(5000), 'h').message.length).toBeLessThan(300);
  });

  it('calls a non-error status outside expected_status permanent', () => {
    const e = errorForStatus(200, undefined, '', 'h');
    expect(e.retryable).toBe(false);
    expect(e.code).toBe(HTTP_ERROR_CODES.unexpectedStatus);
  });
});

describe('classifyTransportError', () => {
  const withCode = (code: string): Error => Object.assign(new Error(code), { code });
  it('makes network failures retryable and TLS verification failures permanent', () => {
    for (const c of ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(classifyTransportError(withCode(c), 'h').retryable, c).toBe(true);
    }
    for (const c of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED']) {
      const e = classifyTransportError(withCode(c), 'h');
      expect(e.retryable, c).toBe(false);
      expect(e.code).toBe(HTTP_ERROR_CODES.tls);
    }
  });

  it('passes a vecron error from the cause chain through', () => {
    const inner = new NonRetryableError('blocked', { code: 'ADDRESS_BLOCKED' });
    expect(classifyTransportError(new Error('wrapped', { cause: inner }), 'h')).toBe(inner);
  });
});
