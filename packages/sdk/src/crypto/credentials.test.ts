import { describe, expect, it } from 'vitest';
import { findCredentials, isCredentialFieldName, maskCredentials, maskCredentialValue, restoreMaskedSecrets, restoreMaskedValue } from './credentials.js';
import { SECRET_MASK as M } from './mask.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n';

describe('credentials in job definitions', () => {
  it('masks the literal credentials the security review found, keeps ${VAR} references and harmless fields', () => {
    const def = {
      name: 'pay',
      variables: { DB_PASSWORD: 'hunter2', REGION: 'HN', API_TOKEN: '${VAULT_TOKEN}' },
      steps: [
        {
          id: 'h', type: 'http',
          config: {
            url: 'https://api.example.test/v1/pay?api_key=abc123&page=2',
            headers: { Authorization: 'Bearer eyJhbGciOi', 'X-Api-Key': 'k-123', Accept: 'application/json' },
            tls: { key: PEM, ca_path: '/etc/ca.pem' },
            auth: { type: 'oauth2', token_url: 'https://idp.example.test/token', client_secret: 's3cret' },
          },
        },
        { id: 'd', type: 'database', config: { connection_string: 'postgres://app:pa55word@db.example.test:5432/core', query: 'SELECT 1' } },
        { id: 'o', type: 'database', config: { connection_string: 'Server=db;User Id=app;Password=pa55word;' } },
      ],
    };
    const m = maskCredentials(def);
    expect(m.variables).toEqual({ DB_PASSWORD: M, REGION: 'HN', API_TOKEN: '${VAULT_TOKEN}' });
    const h = m.steps[0]!.config as typeof def.steps[0]['config'];
    expect(h.url).toBe(`https://api.example.test/v1/pay?api_key=${M}&page=2`);
    expect(h.headers).toEqual({ Authorization: M, 'X-Api-Key': M, Accept: 'application/json' });
    expect(h.tls).toEqual({ key: M + '\n', ca_path: '/etc/ca.pem' });
    expect(h.auth).toEqual({ type: 'oauth2', token_url: 'https://idp.example.test/token', client_secret: M });
    expect((m.steps[1]!.config as { connection_string: string }).connection_string).toBe(`postgres://app:${M}@db.example.test:5432/core`);
    expect((m.steps[2]!.config as { connection_string: string }).connection_string).toBe(`Server=db;User Id=app;Password=${M};`);
    expect(JSON.stringify(m)).not.toMatch(/hunter2|eyJhbGciOi|k-123|abc123|pa55word|MIGHAgEA|s3cret/);
    expect(def.variables.DB_PASSWORD).toBe('hunter2');
    expect(findCredentials(def).map((f) => f.path.join('.'))).toEqual([
      'variables.DB_PASSWORD', 'steps.0.config.url', 'steps.0.config.headers.Authorization', 'steps.0.config.headers.X-Api-Key',
      'steps.0.config.tls.key', 'steps.0.config.auth.client_secret', 'steps.1.config.connection_string', 'steps.2.config.connection_string',
    ]);
  });

  it('references and already-masked values are left alone', () => {
    expect(maskCredentialValue(null, 'postgres://app:${DB_PASSWORD}@db/core')).toBe('postgres://app:${DB_PASSWORD}@db/core');
    expect(maskCredentialValue(null, 'https://x.test/?token=${T}')).toBe('https://x.test/?token=${T}');
    expect(maskCredentialValue('password', M)).toBe(M);
    expect(isCredentialFieldName('private_key_path')).toBe(false);
    expect(isCredentialFieldName('passphrase')).toBe(true);
  });

  it('a masked value sent back keeps the stored one only when it masks to exactly what was sent', () => {
    const stored = 'postgres://app:pa55word@db/core';
    expect(restoreMaskedValue('connection_string', `postgres://app:${M}@db/core`, stored)).toBe(stored);
    expect(restoreMaskedValue('connection_string', `postgres://app:${M}@evil/core`, stored)).toBeUndefined();
    expect(restoreMaskedValue('password', M, 'old')).toBe('old');
    expect(restoreMaskedValue('password', M, undefined)).toBeUndefined();
    expect(restoreMaskedValue('password', 'new', 'old')).toBe('new');
  });

  it('a nesting deeper than the walk bound is masked, not walked', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = { a: deep };
    expect(JSON.stringify(maskCredentials(deep))).toContain(M);
  });
});

describe('restoreMaskedSecrets', () => {
  it('keeps the stored value of every masked field and names a masked value with nothing stored', () => {
    const stored = { steps: [{ id: 'a', config: { password: 'pw-1', url: 'postgres://u:pw-2@h/db' } }] };
    const sent = { steps: [{ id: 'a', config: { password: M, url: `postgres://u:${M}@h/db` } }, { id: 'b', config: { token: M } }] };
    const { value, issues } = restoreMaskedSecrets(sent, stored);
    expect(value).toEqual({ steps: [{ id: 'a', config: { password: 'pw-1', url: 'postgres://u:pw-2@h/db' } }, { id: 'b', config: { token: M } }] });
    expect(issues).toEqual([{ path: '$.steps[1].config.token', message: expect.stringContaining('masked secret') }]);
  });
});
