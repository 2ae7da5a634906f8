import { describe, expect, it } from 'vitest';
import { CircuitOpenError, NonRetryableError } from '../errors/errors.js';
import { createCircuitBreakers } from './circuit-breaker.js';

describe('circuit breakers', () => {
  it('opens after N failures, fails fast, lets one trial through after the reset time, and closes on success', async () => {
    let t = 0;
    const cb = createCircuitBreakers({ failureThreshold: 3, resetAfterMs: 1_000, now: () => t });
    let calls = 0;
    const fail = () => cb.run('bank-api:443', async () => { calls++; throw new Error('503'); });
    for (let i = 0; i < 3; i++) await expect(fail()).rejects.toThrow('503');
    expect(cb.state('bank-api:443')).toBe('open');
    await expect(fail()).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(3);
    expect(cb.state('other-host')).toBe('closed');
    t = 1_000;
    expect(cb.state('bank-api:443')).toBe('half_open');
    await expect(fail()).rejects.toThrow('503');
    expect(cb.state('bank-api:443')).toBe('open');
    t = 2_000;
    expect(await cb.run('bank-api:443', async () => 'ok')).toBe('ok');
    expect(cb.state('bank-api:443')).toBe('closed');
  });

  it('ignores failures that do not count (a 404 is not an outage)', async () => {
    const cb = createCircuitBreakers({ failureThreshold: 1 });
    const notFound = () => cb.run('h', async () => { throw new NonRetryableError('404'); }, (e) => !(e instanceof NonRetryableError));
    await expect(notFound()).rejects.toThrow('404');
    await expect(notFound()).rejects.toThrow('404');
    expect(cb.state('h')).toBe('closed');
  });
});
