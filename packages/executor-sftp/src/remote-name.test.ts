import { describe, expect, it } from 'vitest';
import { assertSafeEntryName, isSafeEntryName } from './remote-name.js';

describe('remote entry names', () => {
  it.each(['a.csv', 'SAO KE 01.xlsx', '.hidden', '..a', 'a..', 'ünïcødé.txt'])('accepts %j', (n) => {
    expect(isSafeEntryName(n)).toBe(true);
  });

  it.each(['', '.', '..', '../x', 'a/b', '/etc/passwd', '..\\x', 'a\\b', 'a\0b'])('refuses %j with SFTP_UNSAFE_REMOTE_NAME', (n) => {
    expect(isSafeEntryName(n)).toBe(false);
    expect(() => assertSafeEntryName(n, '/outbox')).toThrow(expect.objectContaining({ code: 'SFTP_UNSAFE_REMOTE_NAME', retryable: false }));
  });
});
