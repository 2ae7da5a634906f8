import { ConfigError } from '@vecron/sdk';
import { describe, expect, it } from 'vitest';
import { httpExecutor } from './http-executor.js';
import { parseHttpExecutorOptions } from './options.js';

describe('httpExecutor options', () => {
  it('applies documented defaults', () => {
    expect(parseHttpExecutorOptions(undefined)).toMatchObject({
      timeoutSeconds: 30,
      maxResponseBytes: 10 * 1024 * 1024,
      maxRedirects: 5,
      blockPrivateAddresses: false,
      allowHosts: [],
      headers: {},
      circuitBreaker: {},
      oauth2ExpirySkewSeconds: 30,
    });
  });

  it('throws ConfigError naming every bad field', () => {
    let caught: unknown;
    try {
      httpExecutor({ timeoutSeconds: -1, maxResponseBytes: 1.5, allowHosts: [''], resolve: 'dns' as never, bogus: 1 } as never);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const paths = (caught as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['$.timeoutSeconds', '$.maxResponseBytes', '$.allowHosts[0]', '$.resolve']));
    expect((caught as ConfigError).message).toContain('bogus');
  });

  it('accepts circuitBreaker: false and a custom resolver', () => {
    const resolve = async () => [{ address: '203.0.113.7', family: 4 as const }];
    expect(parseHttpExecutorOptions({ circuitBreaker: false, resolve }).circuitBreaker).toBe(false);
    const ex = httpExecutor({ circuitBreaker: false, resolve });
    expect(ex.type).toBe('http');
  });
});
