import { mkdtemp, open, rm, writeFile, chown } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createFileArea } from '@vecron/sdk';
import { describeExecutor } from '@vecron/sdk/testing';
import { afterAll, beforeAll } from 'vitest';
import { sftpExecutor } from '../src/index.js';
import { startSshd } from './sshd-harness.js';
import type { SshdServer } from './sshd-harness.js';

let server: SshdServer;
let areaRoot: string;

beforeAll(async () => {
  server = await startSshd();
  areaRoot = await mkdtemp(path.join(os.tmpdir(), 'vecron-sftp-conf-'));
  const dir = await server.mkdirRemote('conformance');
  await writeFile(path.join(dir, 'small.csv'), 'a,b\n1,2\n');
  const big = path.join(dir, 'huge.bin');
  const fh = await open(big, 'w');
  await fh.truncate(4 * 1024 ** 3); // sparse: nothing on the server's disk, long enough to abort mid-flight
  await fh.close();
  await chown(big, server.uid, server.gid);
});

afterAll(async () => {
  await server?.stop();
  if (areaRoot) await rm(areaRoot, { recursive: true, force: true });
});

function download(remote: string): Record<string, unknown> {
  return {
    operation: 'download',
    host: server.host,
    port: server.port,
    auth: { type: 'password', username: server.username, password: server.password },
    remote_path: `${server.home}/conformance/${remote}`,
    local_path: 'in/',
    options: { host_key_fingerprint: server.hostFingerprint },
  };
}

describeExecutor('sftp (OpenSSH sshd)', {
  type: 'sftp',
  create: () => sftpExecutor(),
  validConfig: () => download('small.csv'),
  slowConfig: () => download('huge.bin'),
  context: {
    get files() {
      return createFileArea(areaRoot);
    },
  },
  invalidConfigs: [
    { config: { operation: 'download', host: 'h', auth: { type: 'password', username: 'u', password: 'p' } }, mentions: 'remote_path' },
    { config: { operation: 'sync', host: 'h', auth: { type: 'password', username: 'u', password: 'p' }, remote_path: '/x' }, mentions: 'operation' },
    { config: { operation: 'upload', host: 'h', auth: { type: 'password', username: 'u', password: 'p' }, remote_path: '/x' }, mentions: 'local_path' },
    { config: { operation: 'download', host: 'h', port: 0, auth: { type: 'password', username: 'u', password: 'p' }, remote_path: '/x' }, mentions: 'port' },
    { config: { operation: 'download', host: 'h', auth: { type: 'ssh_key', username: 'u' }, remote_path: '/x' }, mentions: 'private_key' },
    {
      config: { operation: 'download', host: 'h', auth: { type: 'password', username: 'u', password: 'p' }, remote_path: '/x', options: { host_key_fingerprint: 'abc' } },
      mentions: 'host_key_fingerprint',
    },
  ],
});
