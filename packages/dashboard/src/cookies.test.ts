import { describe, expect, it } from 'vitest';
import { parseCookies, serializeCookie } from './cookies.js';

describe('parseCookies', () => {
  it('reads name → value pairs, trims spaces, and keeps the first of a repeated name', () => {
    expect(parseCookies('a=1; b = two ;a=3')).toEqual({ a: '1', b: 'two' });
  });

  it('returns nothing for a missing or empty header', () => {
    expect(parseCookies(undefined)).toEqual({});
    expect(parseCookies('')).toEqual({});
  });

  it('decodes URI-encoded values and strips the quotes of a quoted value', () => {
    expect(parseCookies('lang=ti%E1%BA%BFng%20Vi%E1%BB%87t; q="quoted%20v"')).toEqual({ lang: 'tiếng Việt', q: 'quoted v' });
  });

  it('does not throw on a malformed header: bad escapes stay as sent, pairs without "=" are skipped', () => {
    const header = 'broken=%E0%A4%A; junk; =nameless; ;;; ok=1; weird==x';
    expect(() => parseCookies(header)).not.toThrow();
    expect(parseCookies(header)).toEqual({ broken: '%E0%A4%A', ok: '1', weird: '=x' });
  });

  it('does not mistake Object.prototype names for cookies already seen', () => {
    expect(parseCookies('constructor=c; __proto__=p; toString=t')).toMatchObject({ constructor: 'c', toString: 't' });
  });
});

describe('serializeCookie', () => {
  const attributes = (s: string): string[] => s.split('; ').slice(1).sort();

  it('defaults to Path=/, SameSite=Strict, HttpOnly, no Secure, a session cookie', () => {
    const s = serializeCookie('vecron_csrf', 'abc');
    expect(s.startsWith('vecron_csrf=abc; ')).toBe(true);
    expect(attributes(s)).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
  });

  it('writes Secure, Lax, a path and a whole, non-negative Max-Age', () => {
    const s = serializeCookie('lang', 'vi', { path: '/dash', maxAge: 31_536_000.7, secure: true, sameSite: 'Lax' });
    expect(attributes(s)).toEqual(['HttpOnly', 'Max-Age=31536000', 'Path=/dash', 'SameSite=Lax', 'Secure']);
    expect(attributes(serializeCookie('s', '', { maxAge: -5 }))).toContain('Max-Age=0');
    expect(attributes(serializeCookie('s', 'x', { httpOnly: false }))).not.toContain('HttpOnly');
  });

  it('URI-encodes a value that needs it, and parseCookies reads it back', () => {
    const value = 'a b;c=d,é"';
    const s = serializeCookie('v', value);
    const pair = s.split('; ')[0]!;
    expect(pair).toBe(`v=${encodeURIComponent(value)}`);
    expect(parseCookies(pair)).toEqual({ v: value });
  });
});
