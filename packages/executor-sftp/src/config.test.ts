import { describe, expect, it } from 'vitest';
import { sftpStepConfigSchema } from './config.js';

const base = {
  operation: 'download',
  host: 'sftp.example',
  auth: { type: 'password', username: 'u', password: 'p' },
  remote_path: '/outbox/a.csv',
};
const fp = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

function issues(config: unknown): string {
  const r = sftpStepConfigSchema.safeParse(config);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
}

describe('sftpStepConfigSchema', () => {
  it('fills defaults: port 22, verification on, no recursion, no remote mkdir, atomic upload', () => {
    const c = sftpStepConfigSchema.parse(base);
    expect(c.port).toBe(22);
    expect(c.options).toEqual({ recursive: false, create_directories: false, verify_host_key: true, atomic_upload: true, allow_empty: false });
  });

  it('accepts a port and timeout that arrive as strings after ${VAR} substitution', () => {
    const c = sftpStepConfigSchema.parse({ ...base, port: '2222', timeout_seconds: '30' });
    expect(c.port).toBe(2222);
    expect(c.timeout_seconds).toBe(30);
  });

  it('accepts one fingerprint or a list', () => {
    expect(sftpStepConfigSchema.parse({ ...base, options: { host_key_fingerprint: fp } }).options.host_key_fingerprint).toBe(fp);
    expect(sftpStepConfigSchema.parse({ ...base, options: { host_key_fingerprint: [fp, fp] } }).options.host_key_fingerprint).toEqual([fp, fp]);
  });

  it.each([
    [{ ...base, operation: 'move' }, 'operation'],
    [{ ...base, port: 70000 }, 'port'],
    [{ ...base, port: 'ssh' }, 'port'],
    [{ ...base, host: '' }, 'host'],
    [{ ...base, remote_path: '' }, 'remote_path'],
    [{ ...base, operation: 'upload' }, 'local_path'],
    [{ ...base, auth: { type: 'kerberos', username: 'u' } }, 'auth.type'],
    [{ ...base, auth: { type: 'ssh_key', username: 'u' } }, 'auth.private_key'],
    [{ ...base, auth: { type: 'ssh_key', username: 'u', private_key: 'k', private_key_path: '/k' } }, 'auth.private_key'],
    [{ ...base, options: { host_key_fingerprint: 'SHA256:nope' } }, 'options.host_key_fingerprint'],
    [{ ...base, options: { wildcard_pattern: 'a/*.csv' } }, 'options.wildcard_pattern'],
    [{ ...base, options: { verify_hostkey: false } }, 'verify_hostkey'],
    [{ ...base, timeout_seconds: 0 }, 'timeout_seconds'],
  ])('rejects %j naming %s', (config, field) => {
    expect(issues(config)).toContain(field);
  });
});
