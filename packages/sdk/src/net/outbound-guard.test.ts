import { describe, expect, it } from 'vitest';
import { checkOutboundHost } from './outbound-guard.js';

// Decisions only: `resolve` is a stub and nothing here connects anywhere.
const resolveTo = (addresses: string[]) => async (): Promise<string[]> => addresses;
const policy = (addresses: string[], allowHosts: string[] = []) => ({ blockPrivateAddresses: true, allowHosts, resolve: resolveTo(addresses) });

describe('outbound policy decisions', () => {
  it.each([
    ['127.0.0.1', [], 'loopback'],
    ['localhost', [], 'loopback'],
    ['', [], 'loopback'],
    ['169.254.169.254', [], 'link_local'],
    ['10.1.2.3', [], 'private'],
    ['[::1]', [], 'loopback'],
    ['db.internal.example', ['10.0.0.7'], 'private'],
    ['metadata.example', ['93.184.216.34', '169.254.169.254'], 'link_local'],
  ])('refuses %s (resolving to %j): %s', async (host, addresses, kind) => {
    await expect(checkOutboundHost(host, policy(addresses))).rejects.toMatchObject({ code: 'ADDRESS_BLOCKED', retryable: false, details: { kind } });
  });

  it('allows public addresses, allow-listed hosts, and everything when the policy is off', async () => {
    await expect(checkOutboundHost('api.example', policy(['93.184.216.34']))).resolves.toBeUndefined();
    await expect(checkOutboundHost('db.corp.example', policy(['10.0.0.7'], ['*.corp.example']))).resolves.toBeUndefined();
    await expect(checkOutboundHost('127.0.0.1', policy([], ['127.0.0.1']))).resolves.toBeUndefined();
    await expect(checkOutboundHost('127.0.0.1', { blockPrivateAddresses: false })).resolves.toBeUndefined();
  });
});
