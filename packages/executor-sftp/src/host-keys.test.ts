import { describe, expect, it } from 'vitest';
import { normalizeKnownHosts, pinsFor } from './host-keys.js';

const a = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
const b = 'SHA256:AAAAztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

describe('pinsFor', () => {
  const known = normalizeKnownHosts({ 'SFTP.bank.vn:2222': a, '[::1]:22': b, 'plain.host': [a, b] });

  it('prefers the step pin over knownHosts', () => {
    expect(pinsFor('sftp.bank.vn', 2222, { verify_host_key: true, host_key_fingerprint: b }, known)).toEqual([{ algo: 'sha256', value: b.slice(7) }]);
  });

  it('falls back to knownHosts by host:port, [host]:port or host (port 22)', () => {
    expect(pinsFor('sftp.bank.vn', 2222, { verify_host_key: true }, known)).toHaveLength(1);
    expect(pinsFor('::1', 22, { verify_host_key: true }, known)).toHaveLength(1);
    expect(pinsFor('plain.host', 22, { verify_host_key: true }, known)).toHaveLength(2);
  });

  it('returns null when verification is off', () => {
    expect(pinsFor('x', 22, { verify_host_key: false }, known)).toBeNull();
  });

  it('refuses with HOST_KEY_NOT_PINNED and the ssh-keyscan command when nothing is pinned', () => {
    expect(() => pinsFor('sftp.bank.vn', 22, { verify_host_key: true }, known)).toThrow(
      expect.objectContaining({ code: 'HOST_KEY_NOT_PINNED', retryable: false, message: expect.stringContaining('ssh-keyscan sftp.bank.vn | ssh-keygen -lf -') }),
    );
    expect(() => pinsFor('h', 2200, { verify_host_key: true }, known)).toThrow(expect.objectContaining({ message: expect.stringContaining('ssh-keyscan -p 2200 h') }));
  });
});
