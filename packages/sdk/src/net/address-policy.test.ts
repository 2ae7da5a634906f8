import { describe, expect, it } from 'vitest';
import { classifyAddress, isBlockedAddress, isHostAllowed, isLocalhostName } from './address-policy.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['fe80::1%eth0', 'link_local'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    // IPv4 hidden inside IPv6 forms reaches the IPv4 host.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['2002:7f00:1::', 'loopback'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['1.1.1.1', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::ffff:8.8.8.8', 'public'],
  ])('%s is %s', (addr, kind) => {
    expect(classifyAddress(addr)).toBe(kind);
  });

  it('returns undefined for host names', () => {
    expect(classifyAddress('example.com')).toBeUndefined();
    expect(classifyAddress('localhost')).toBeUndefined();
  });

  it('sees through the numeric forms WHATWG URL normalises (decimal, octal, hex, short)', () => {
    for (const u of ['http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f.1/', 'http://127.1/', 'http://0x7f000001/', 'http://[::ffff:127.0.0.1]/']) {
      expect(isBlockedAddress(new URL(u).hostname), u).toBe(true);
    }
    expect(isBlockedAddress(new URL('http://134744072/').hostname)).toBe(false); // 8.8.8.8
  });
});

describe('isHostAllowed / isLocalhostName', () => {
  it('matches exact names case-insensitively and *.suffix wildcards', () => {
    const allow = ['API.partner.vn', '*.corp.example', '10.0.0.5', '[::1]'];
    expect(isHostAllowed('api.partner.vn', allow)).toBe(true);
    expect(isHostAllowed('api.partner.vn.', allow)).toBe(true);
    expect(isHostAllowed('x.api.partner.vn', allow)).toBe(false);
    expect(isHostAllowed('a.corp.example', allow)).toBe(true);
    expect(isHostAllowed('a.b.corp.example', allow)).toBe(true);
    expect(isHostAllowed('corp.example', allow)).toBe(false);
    expect(isHostAllowed('evilcorp.example', allow)).toBe(false);
    expect(isHostAllowed('10.0.0.5', allow)).toBe(true);
    expect(isHostAllowed('[::1]', allow)).toBe(true);
    expect(isHostAllowed('anything', [])).toBe(false);
  });

  it('knows the localhost names', () => {
    expect(isLocalhostName('localhost')).toBe(true);
    expect(isLocalhostName('LOCALHOST.')).toBe(true);
    expect(isLocalhostName('app.localhost')).toBe(true);
    expect(isLocalhostName('localhost.example.com')).toBe(false);
  });
});
