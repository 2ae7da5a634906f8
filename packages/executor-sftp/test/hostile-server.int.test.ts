/**
 * A hostile SFTP server (ssh2's server module, in-process) that lists entry names no real
 * file system produces — `../evil.txt`, `sub/evil.txt` — to prove a download never writes
 * outside its local folder. OpenSSH cannot be made to send such names, hence this peer.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFingerprint, sftpExecutor, sha256Fingerprint } from '../src/index.js';
import { contextIn, listFiles } from './helpers.js';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;
const DIR: Attributes = { mode: 0o040755, uid: 0, gid: 0, size: 4096, atime: 0, mtime: 0 };
const FILE: Attributes = { mode: 0o100644, uid: 0, gid: 0, size: 5, atime: 0, mtime: 0 };

interface Hostile {
  port: number;
  fingerprint: string;
  /** Paths the client tried to open for reading (must stay empty). */
  opened: string[];
  close(): Promise<void>;
}

/**
 * An ed25519 host key whose public half ssh2 can read back. ssh2 1.17.0 strips every leading zero
 * byte of a generated public key, so about 1 key in 256 (one whose key starts with 0x00) is
 * refused by its own `parseKey` as "Malformed OpenSSH public key" (mscdex/ssh2#1513): take the
 * next key then.
 */
function hostKey(): { key: ReturnType<typeof utils.generateKeyPairSync>; parsed: Exclude<ReturnType<typeof utils.parseKey>, Error | unknown[]> } {
  for (let tries = 1; ; tries += 1) {
    const key = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(key.public);
    if (!(parsed instanceof Error) && !Array.isArray(parsed)) return { key, parsed };
    if (tries === 10) throw parsed instanceof Error ? parsed : new Error('parseKey gave several keys');
  }
}

async function hostileServer(names: string[]): Promise<Hostile> {
  const { key, parsed } = hostKey();
  const fingerprint = formatFingerprint(sha256Fingerprint(parsed.getPublicSSH()));
  const opened: string[] = [];
  const server = new Server({ hostKeys: [key.private] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const listed = new Set<string>();
          sftp.on('REALPATH', (id) => sftp.name(id, [{ filename: '/', longname: '/', attrs: DIR }]));
          sftp.on('STAT', (id) => sftp.attrs(id, DIR));
          sftp.on('LSTAT', (id) => sftp.attrs(id, DIR));
          sftp.on('OPENDIR', (id, p) => sftp.handle(id, Buffer.from(p)));
          sftp.on('READDIR', (id, handle) => {
            const key = handle.toString();
            if (listed.has(key)) return sftp.status(id, STATUS_CODE.EOF);
            listed.add(key);
            return sftp.name(
              id,
              names.map((filename) => ({ filename, longname: `-rw-r--r-- 1 0 0 5 Jan 1 00:00 ${filename}`, attrs: filename === '.' ? DIR : FILE })),
            );
          });
          sftp.on('OPEN', (id, p) => {
            opened.push(p);
            sftp.status(id, STATUS_CODE.PERMISSION_DENIED);
          });
          sftp.on('CLOSE', (id) => sftp.status(id, STATUS_CODE.OK));
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    fingerprint,
    opened,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let base: string;
beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'vecron-sftp-hostile-'));
});
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

describe('download from a server that lists escaping names', () => {
  it.each([['../evil.txt'], ['sub/evil.txt'], ['/etc/evil.txt'], ['..\\evil.txt']])('refuses %j, opens nothing, writes nothing', async (evil) => {
    const srv = await hostileServer(['good.txt', evil]);
    try {
      const ex = sftpExecutor();
      const ctx = await contextIn(base);
      const err = await ex
        .execute(
          ex.config.parse({
            operation: 'download',
            host: '127.0.0.1',
            port: srv.port,
            auth: { type: 'password', username: 'u', password: 'p' },
            remote_path: '/outbox',
            local_path: 'in',
            options: { wildcard_pattern: '*.txt', recursive: true, host_key_fingerprint: srv.fingerprint },
          }),
          ctx,
        )
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'SFTP_UNSAFE_REMOTE_NAME', retryable: false, details: { name: evil } });
      expect(srv.opened).toEqual([]);
      expect(await listFiles(ctx.files.root)).toEqual([]);
      expect((await readdir(base)).filter((n) => n.includes('evil'))).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it('skips "." and ".." even when the server calls them files', async () => {
    const srv = await hostileServer(['.', '..']);
    try {
      const ex = sftpExecutor();
      const ctx = await contextIn(base);
      const out = await ex.execute(
        ex.config.parse({
          operation: 'download',
          host: '127.0.0.1',
          port: srv.port,
          auth: { type: 'password', username: 'u', password: 'p' },
          remote_path: '/outbox',
          options: { allow_empty: true, host_key_fingerprint: srv.fingerprint },
        }),
        ctx,
      );
      expect(out).toEqual({ files: [] });
      expect(srv.opened).toEqual([]);
    } finally {
      await srv.close();
    }
  });
});
