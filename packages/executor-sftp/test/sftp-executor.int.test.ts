import { spawnSync } from 'node:child_process';
import { chown, mkdir, mkdtemp, open, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sftpExecutor } from '../src/index.js';
import type { SftpStepConfigInput, SftpStepOutput } from '../src/index.js';
import { contextIn, listFiles } from './helpers.js';
import { freePort, startSshd } from './sshd-harness.js';
import type { SshdServer } from './sshd-harness.js';

let server: SshdServer;
let base: string;
const WRONG_FP = 'SHA256:AAAAztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

beforeAll(async () => {
  server = await startSshd();
  base = await mkdtemp(path.join(os.tmpdir(), 'vecron-sftp-areas-'));
});

afterAll(async () => {
  await server?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

function executor(extra: Parameters<typeof sftpExecutor>[0] = {}) {
  return sftpExecutor({ privateKeyDirs: [server.dir], ...extra });
}

function config(partial: Partial<SftpStepConfigInput> & { options?: SftpStepConfigInput['options'] }): SftpStepConfigInput {
  return {
    operation: 'download',
    host: server.host,
    port: server.port,
    auth: { type: 'password', username: server.username, password: server.password },
    remote_path: '.',
    ...partial,
    options: { host_key_fingerprint: server.hostFingerprint, ...partial.options },
  } as SftpStepConfigInput;
}

async function runStep(cfg: SftpStepConfigInput, ctxOverrides = {}, ex = executor()): Promise<{ out: SftpStepOutput; root: string }> {
  const ctx = await contextIn(base, ctxOverrides);
  const out = await ex.execute(ex.config.parse(cfg), ctx);
  return { out, root: ctx.files.root };
}

async function failStep(cfg: SftpStepConfigInput, ctxOverrides = {}, ex = executor()): Promise<{ err: Record<string, unknown>; root: string }> {
  const ctx = await contextIn(base, ctxOverrides);
  const err = await ex.execute(ex.config.parse(cfg), ctx).then(
    () => {
      throw new Error('expected the step to fail');
    },
    (e: unknown) => e as Record<string, unknown>,
  );
  return { err, root: ctx.files.root };
}

async function remoteFile(rel: string, content: string | Buffer): Promise<string> {
  const full = path.join(server.home, rel);
  await server.mkdirRemote(path.dirname(rel));
  await writeFile(full, content);
  await chown(full, server.uid, server.gid);
  return full;
}

describe('sftp executor against OpenSSH sshd', () => {
  it('downloads one file with password auth into a folder of the file area', async () => {
    await remoteFile('pw/statement.csv', 'id,amount\n1,100\n');
    const { out, root } = await runStep(config({ remote_path: `${server.home}/pw/statement.csv`, local_path: 'in/' }));
    expect(out.files).toEqual([{ filename: 'statement.csv', size: 16, remote_path: `${server.home}/pw/statement.csv`, path: path.join(root, 'in', 'statement.csv') }]);
    expect(await readFile(out.files[0]!.path, 'utf8')).toBe('id,amount\n1,100\n');
    expect(await listFiles(root)).toEqual(['in/statement.csv']);
  });

  it('resolves a relative remote_path against the login folder and renames to an explicit local file name', async () => {
    await remoteFile('rel/a.txt', 'hello');
    const { out, root } = await runStep(config({ remote_path: 'rel/a.txt', local_path: 'renamed.txt' }));
    expect(out.files[0]).toMatchObject({ filename: 'renamed.txt', size: 5, remote_path: 'rel/a.txt', path: path.join(root, 'renamed.txt') });
  });

  it('uploads with a private key given as text (atomic: no temporary name left behind)', async () => {
    const remoteDir = await server.mkdirRemote('key-string');
    const ctx = await contextIn(base);
    await writeFile(path.join(ctx.files.root, 'report.csv'), 'a,b\n1,2\n');
    const ex = executor();
    const out = await ex.execute(
      ex.config.parse(config({ operation: 'upload', auth: { type: 'ssh_key', username: server.username, private_key: server.clientKey }, local_path: 'report.csv', remote_path: `${remoteDir}/` })),
      ctx,
    );
    expect(out.files).toEqual([{ filename: 'report.csv', size: 8, remote_path: `${remoteDir}/report.csv`, path: path.join(ctx.files.root, 'report.csv') }]);
    expect(await readFile(path.join(remoteDir, 'report.csv'), 'utf8')).toBe('a,b\n1,2\n');
    expect(await listFiles(remoteDir)).toEqual(['report.csv']);
  });

  it('accepts a private key pasted with literal \\n escapes', async () => {
    await remoteFile('escaped/x.txt', 'x');
    const { out } = await runStep(
      config({ remote_path: `${server.home}/escaped/x.txt`, auth: { type: 'ssh_key', username: server.username, private_key: server.clientKey.replaceAll('\n', '\\n') } }),
    );
    expect(out.files).toHaveLength(1);
  });

  it('downloads with a private key read from private_key_path (plain, and passphrase-protected)', async () => {
    await remoteFile('key-path/k.txt', 'key');
    const plain = await runStep(config({ remote_path: `${server.home}/key-path/k.txt`, auth: { type: 'ssh_key', username: server.username, private_key_path: server.clientKeyPath } }));
    expect(plain.out.files[0]!.size).toBe(3);
    const enc = await runStep(
      config({
        remote_path: `${server.home}/key-path/k.txt`,
        auth: { type: 'ssh_key', username: server.username, private_key_path: path.basename(server.encryptedKeyPath), passphrase: server.keyPassphrase },
      }),
    );
    expect(enc.out.files[0]!.size).toBe(3);
  });

  it('refuses a wrong passphrase and a key path outside privateKeyDirs, both non-retryable, before connecting', async () => {
    const wrong = await failStep(config({ auth: { type: 'ssh_key', username: server.username, private_key_path: server.encryptedKeyPath, passphrase: 'nope' } }));
    expect(wrong.err).toMatchObject({ code: 'SFTP_BAD_KEY', retryable: false });
    const outside = await failStep(config({ auth: { type: 'ssh_key', username: server.username, private_key_path: '/etc/ssh/ssh_host_ed25519_key' } }));
    expect(outside.err).toMatchObject({ code: 'SFTP_KEY_PATH_NOT_ALLOWED', retryable: false });
    const none = await failStep(config({ auth: { type: 'ssh_key', username: server.username, private_key_path: server.clientKeyPath } }), {}, sftpExecutor());
    expect(none.err).toMatchObject({ code: 'SFTP_KEY_PATH_NOT_ALLOWED', retryable: false });
  });

  it('downloads by wildcard, recursively, mirroring the remote layout', async () => {
    await remoteFile('wild/SAO_KE_20260131.xlsx', 'jan');
    await remoteFile('wild/other.txt', 'no');
    await remoteFile('wild/sub/SAO_KE_20260201.xlsx', 'feb');
    await remoteFile('wild/sub/deeper/SAO_KE_20260301.xlsx', 'mar');
    await remoteFile('wild/sub/note.xlsx', 'no');
    const remote = `${server.home}/wild`;
    const rec = await runStep(config({ remote_path: remote, local_path: 'bank', options: { wildcard_pattern: 'SAO_KE_*.xlsx', recursive: true } }));
    expect(await listFiles(rec.root)).toEqual(['bank/SAO_KE_20260131.xlsx', 'bank/sub/SAO_KE_20260201.xlsx', 'bank/sub/deeper/SAO_KE_20260301.xlsx']);
    expect(rec.out.files.map((f) => f.remote_path)).toEqual([`${remote}/SAO_KE_20260131.xlsx`, `${remote}/sub/SAO_KE_20260201.xlsx`, `${remote}/sub/deeper/SAO_KE_20260301.xlsx`]);
    expect(await readFile(path.join(rec.root, 'bank/sub/deeper/SAO_KE_20260301.xlsx'), 'utf8')).toBe('mar');

    const flat = await runStep(config({ remote_path: remote, options: { wildcard_pattern: 'SAO_KE_????0131.xlsx' } }));
    expect(flat.out.files.map((f) => f.filename)).toEqual(['SAO_KE_20260131.xlsx']);
  });

  it('uploads a folder by wildcard into remote folders it creates', async () => {
    const parent = await server.mkdirRemote('up-mkdir');
    const ctx = await contextIn(base);
    await mkdir(path.join(ctx.files.root, 'out/nested'), { recursive: true });
    await writeFile(path.join(ctx.files.root, 'out/a.csv'), 'a');
    await writeFile(path.join(ctx.files.root, 'out/b.csv'), 'bb');
    await writeFile(path.join(ctx.files.root, 'out/c.txt'), 'ccc');
    await writeFile(path.join(ctx.files.root, 'out/nested/d.csv'), 'dddd');
    const ex = executor();
    const target = `${parent}/2026/01/31`;

    const refused = await ex
      .execute(ex.config.parse(config({ operation: 'upload', local_path: 'out', remote_path: target, options: { wildcard_pattern: '*.csv', recursive: true } })), ctx)
      .catch((e: unknown) => e as Record<string, unknown>);
    expect(refused).toMatchObject({ code: 'SFTP_NOT_FOUND', retryable: false, message: expect.stringContaining('create_directories') });
    expect(await listFiles(parent)).toEqual([]);

    const out = await ex.execute(
      ex.config.parse(config({ operation: 'upload', local_path: 'out', remote_path: target, options: { wildcard_pattern: '*.csv', recursive: true, create_directories: true } })),
      ctx,
    );
    expect(out.files.map((f) => [f.filename, f.size, f.remote_path, f.path])).toEqual([
      ['a.csv', 1, `${target}/a.csv`, path.join(ctx.files.root, 'out/a.csv')],
      ['b.csv', 2, `${target}/b.csv`, path.join(ctx.files.root, 'out/b.csv')],
      ['d.csv', 4, `${target}/nested/d.csv`, path.join(ctx.files.root, 'out/nested/d.csv')],
    ]);
    expect(await listFiles(parent)).toEqual(['2026/01/31/a.csv', '2026/01/31/b.csv', '2026/01/31/nested/d.csv']);
  });

  it('refuses a wrong pinned host key with HOST_KEY_MISMATCH and transfers nothing', async () => {
    const remoteDir = await server.mkdirRemote('mitm');
    await remoteFile('mitm/secret.csv', 'secret');
    const ctx = await contextIn(base);
    await writeFile(path.join(ctx.files.root, 'up.csv'), 'data');
    const ex = executor();
    const up = await ex
      .execute(ex.config.parse(config({ operation: 'upload', local_path: 'up.csv', remote_path: `${remoteDir}/`, options: { host_key_fingerprint: WRONG_FP } })), ctx)
      .catch((e: unknown) => e as Record<string, unknown>);
    expect(up).toMatchObject({ code: 'HOST_KEY_MISMATCH', retryable: false, details: { presented: server.hostFingerprint, expected: [WRONG_FP] } });
    expect(await listFiles(remoteDir)).toEqual(['secret.csv']);

    const down = await failStep(config({ remote_path: `${remoteDir}/secret.csv`, options: { host_key_fingerprint: [WRONG_FP] } }));
    expect(down.err).toMatchObject({ code: 'HOST_KEY_MISMATCH', retryable: false });
    expect(await listFiles(down.root)).toEqual([]);
  });

  it('refuses to connect when verification is on and nothing is pinned, explaining how to pin', async () => {
    const { err } = await failStep({ ...config({ remote_path: 'x' }), options: {} });
    expect(err).toMatchObject({ code: 'HOST_KEY_NOT_PINNED', retryable: false });
    expect(err['message']).toContain(`ssh-keyscan -p ${server.port} ${server.host} | ssh-keygen -lf -`);
  });

  it('uses knownHosts from the executor options, and the documented ssh-keyscan command gives that fingerprint', async () => {
    const scan = spawnSync('sh', ['-c', `ssh-keyscan -p ${server.port} ${server.host} 2>/dev/null | ssh-keygen -lf -`], { encoding: 'utf8' });
    expect(scan.stdout).toContain(server.hostFingerprint);
    const line = scan.stdout.trim().split('\n')[0]!;
    await remoteFile('known/k.txt', 'k');
    const ex = executor({ knownHosts: { [`[${server.host}]:${server.port}`]: line } });
    const { out } = await runStep({ ...config({ remote_path: `${server.home}/known/k.txt` }), options: {} }, {}, ex);
    expect(out.files).toHaveLength(1);
  });

  it('connects without verification only when verify_host_key is false', async () => {
    await remoteFile('noverify/n.txt', 'n');
    const { out } = await runStep({ ...config({ remote_path: `${server.home}/noverify/n.txt` }), options: { verify_host_key: false } });
    expect(out.files).toHaveLength(1);
  });

  it('fails a bad password with a non-retryable SFTP_AUTH_FAILED', async () => {
    const { err } = await failStep(config({ remote_path: 'x', auth: { type: 'password', username: server.username, password: 'wrong-password' } }));
    expect(err).toMatchObject({ code: 'SFTP_AUTH_FAILED', retryable: false });
  });

  it('fails a missing remote file, or a wildcard without match, with a non-retryable SFTP_NOT_FOUND (unless allow_empty)', async () => {
    const missing = await failStep(config({ remote_path: `${server.home}/does-not-exist.csv` }));
    expect(missing.err).toMatchObject({ code: 'SFTP_NOT_FOUND', retryable: false });
    await server.mkdirRemote('empty');
    const none = await failStep(config({ remote_path: `${server.home}/empty`, options: { wildcard_pattern: '*.csv' } }));
    expect(none.err).toMatchObject({ code: 'SFTP_NOT_FOUND', retryable: false });
    const allowed = await runStep(config({ remote_path: `${server.home}/empty`, options: { wildcard_pattern: '*.csv', allow_empty: true } }));
    expect(allowed.out).toEqual({ files: [] });
  });

  it('fails a missing local upload source with a non-retryable LOCAL_NOT_FOUND', async () => {
    const { err } = await failStep(config({ operation: 'upload', local_path: 'nope.csv', remote_path: 'x' }));
    expect(err).toMatchObject({ code: 'LOCAL_NOT_FOUND', retryable: false });
  });

  it('reports connection refused on a closed port as retryable', async () => {
    const closed = await freePort();
    const { err } = await failStep(config({ port: closed, remote_path: 'x' }));
    expect(err).toMatchObject({ code: 'SFTP_CONNECTION_FAILED', retryable: true });
  });

  it('confines local_path to the file area', async () => {
    for (const local of ['../escape.txt', '%2e%2e/escape.txt', '/etc/passwd']) {
      const { err } = await failStep(config({ remote_path: 'x', local_path: local }));
      expect(err).toMatchObject({ code: 'PATH_ESCAPE', retryable: false });
    }
    const ctx = await contextIn(base);
    await symlink(os.tmpdir(), path.join(ctx.files.root, 'link'));
    await remoteFile('confine/f.txt', 'f');
    const ex = executor();
    await expect(ex.execute(ex.config.parse(config({ remote_path: `${server.home}/confine/f.txt`, local_path: 'link/f.txt' })), ctx)).rejects.toMatchObject({
      code: 'PATH_ESCAPE',
    });
  });

  it('stops a download when the signal aborts mid-transfer and removes the partial file', async () => {
    const big = await remoteFile('abort/huge.bin', '');
    const fh = await open(big, 'r+');
    await fh.truncate(4 * 1024 ** 3); // sparse: costs no disk on the server side
    await fh.close();
    const ac = new AbortController();
    const ctx = await contextIn(base, { signal: ac.signal });
    const ex = executor();
    const reason = new Error('cancelled by test');
    // Abort once the partial file is on disk and growing: the transfer is really under way.
    let sawPartial = false;
    const poll = setInterval(() => {
      void listFiles(ctx.files.root).then(async (f) => {
        const part = f.find((n) => n.endsWith('.vecron-part'));
        if (part && !ac.signal.aborted && (await stat(path.join(ctx.files.root, part)).catch(() => undefined))?.size) {
          sawPartial = true;
          ac.abort(reason);
        }
      });
    }, 20);
    const started = Date.now();
    const err = await ex.execute(ex.config.parse(config({ remote_path: big, local_path: 'huge.bin' })), ctx).catch((e: unknown) => e);
    clearInterval(poll);
    console.log(`abort mid-transfer: rejected ${Date.now() - started} ms after start`);
    expect(err).toBe(reason);
    expect(sawPartial).toBe(true);
    expect(await listFiles(ctx.files.root)).toEqual([]);
  });

  it('stops an upload when the signal aborts mid-transfer and removes the remote temporary file', async () => {
    const remoteDir = await server.mkdirRemote('abort-up');
    const ac = new AbortController();
    const ctx = await contextIn(base, { signal: ac.signal });
    const fh = await open(path.join(ctx.files.root, 'huge-up.bin'), 'w');
    await fh.truncate(4 * 1024 ** 3);
    await fh.close();
    const reason = new Error('cancelled upload');
    let sawPartial = false;
    const poll = setInterval(() => {
      void listFiles(remoteDir).then(async (f) => {
        const part = f.find((n) => n.endsWith('.vecron-part'));
        if (part && !ac.signal.aborted && (await stat(path.join(remoteDir, part)).catch(() => undefined))?.size) {
          sawPartial = true;
          ac.abort(reason);
        }
      });
    }, 20);
    const ex = executor();
    const err = await ex.execute(ex.config.parse(config({ operation: 'upload', local_path: 'huge-up.bin', remote_path: `${remoteDir}/huge-up.bin` })), ctx).catch((e: unknown) => e);
    clearInterval(poll);
    expect(err).toBe(reason);
    expect(sawPartial).toBe(true);
    expect(await listFiles(remoteDir)).toEqual([]);
  });

  it('turns timeout_seconds into a retryable STEP_TIMEOUT and removes the partial file', async () => {
    const big = path.join(server.home, 'abort/huge.bin');
    expect((await stat(big)).size).toBeGreaterThan(1024 ** 3);
    const { err, root } = await failStep(config({ remote_path: big, local_path: 'huge.bin', timeout_seconds: 0.5 }));
    expect(err).toMatchObject({ code: 'STEP_TIMEOUT', retryable: true });
    expect(await listFiles(root)).toEqual([]);
  });

  it('refuses a pre-aborted signal without connecting', async () => {
    const ac = new AbortController();
    ac.abort(new Error('already'));
    const { err, root } = await failStep(config({ remote_path: 'x' }), { signal: ac.signal });
    expect(err).toMatchObject({ message: 'already' });
    expect(await listFiles(root)).toEqual([]);
  });
});
