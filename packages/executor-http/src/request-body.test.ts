import { describe, expect, it } from 'vitest';
import { buildUrl, encodeBody } from './request-body.js';
import { httpStepConfigSchema } from './step-config.js';

describe('encodeBody', () => {
  it('encodes objects as JSON by default and strings as text', () => {
    expect(encodeBody({ body: { a: 1 } })).toEqual({ body: '{"a":1}', contentType: 'application/json' });
    expect(encodeBody({ body: [1, 2] })).toEqual({ body: '[1,2]', contentType: 'application/json' });
    expect(encodeBody({ body: 'hi' })).toEqual({ body: 'hi', contentType: 'text/plain; charset=utf-8' });
    expect(encodeBody({ body: undefined })).toEqual({ body: undefined, contentType: undefined });
  });

  it('form-encodes objects (arrays repeat the key) and passes encoded strings through', () => {
    expect(encodeBody({ body: { a: 'x y', b: [1, 2], c: true, d: null }, body_type: 'form' })).toEqual({
      body: 'a=x+y&b=1&b=2&c=true',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(encodeBody({ body: 'a=1&b=2', body_type: 'form' }).body).toBe('a=1&b=2');
  });

  it('sends raw strings without a content type and JSON-encodes a string for json', () => {
    expect(encodeBody({ body: '<x/>', body_type: 'raw' })).toEqual({ body: '<x/>', contentType: undefined });
    expect(encodeBody({ body: 'hi', body_type: 'json' }).body).toBe('"hi"');
  });
});

describe('buildUrl', () => {
  it('appends query values, keeping the existing ones', () => {
    expect(buildUrl('http://h/p?x=1', { a: 'b c', n: 2, t: false, r: ['1', 2] }).toString()).toBe('http://h/p?x=1&a=b+c&n=2&t=false&r=1&r=2');
  });
});

describe('httpStepConfigSchema', () => {
  it('applies defaults and upper-cases the method', () => {
    const c = httpStepConfigSchema.parse({ url: 'https://example.com/x', method: 'post' });
    expect(c).toMatchObject({ method: 'POST', headers: {}, follow_redirects: true });
  });

  it.each([
    [{ url: 'ftp://example.com/' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'https://u:p@example.com/' }, 'url'],
    [{ url: 'https://example.com/', method: 'GE T' }, 'method'],
    [{ url: 'https://example.com/', auth: { type: 'oauth2', client_id: 'x' } }, 'auth'],
    [{ url: 'https://example.com/', auth: { type: 'digest' } }, 'auth'],
    [{ url: 'https://example.com/', timeout_seconds: 0 }, 'timeout_seconds'],
    [{ url: 'https://example.com/', expected_status: '2x' }, 'expected_status'],
    [{ url: 'https://example.com/', tls: { cert: 'PEM' } }, 'tls'],
    [{ url: 'https://example.com/', body: { a: 1 }, body_type: 'text' }, 'body'],
    [{ url: 'https://example.com/', method: 'HEAD', body: 'x' }, 'body'],
    [{ url: 'https://example.com/', headers: { 'bad header': 'x' } }, 'headers'],
  ])('rejects %j naming %s', (config, field) => {
    const r = httpStepConfigSchema.safeParse(config);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).join(' ')).toContain(field);
  });
});
