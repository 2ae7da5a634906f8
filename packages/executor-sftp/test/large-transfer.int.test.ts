import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sftpExecutor } from '../src/index.js';
import { contextIn, listFiles, sha256File } from './helpers.js';
import { startSshd } from './sshd-harness.js';
import type { SshdServer } from './sshd-harness.js';

const SIZE = 200 * 1024 * 1024;
let server: SshdServer;
let base: string;

beforeAll(async () => {
  server = await startSshd();
  base = await mkdtemp(path.join(os.tmpdir(), 'vecron-sftp-large-'));
});

afterAll(async () => {
  await server?.stop();
  if (base) await rm(base, { recursive: true, force: true });
});

/** Writes `size` bytes of pseudo-random data in 1 MiB chunks, hashing as it goes (never all in memory). */
async function writeRandomFile(p: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(p);
  const seed = randomBytes(1 << 20);
  for (let written = 0, i = 0; written < size; written += seed.length, i++) {
    // Vary every chunk cheaply so a misplaced chunk changes the hash.
    const chunk = Buffer.from(seed);
    chunk.writeUInt32BE(i, 0);
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

describe('sftp executor: 200 MB streamed through a real sshd', () => {
  it('uploads then downloads 200 MB with identical size and SHA-256, streaming', async () => {
    const ex = sftpExecutor();
    const auth = { type: 'password', username: server.username, password: server.password };
    const common = { host: server.host, port: server.port, auth, options: { host_key_fingerprint: server.hostFingerprint } };
    const remoteDir = await server.mkdirRemote('large');

    const upCtx = await contextIn(base);
    const source = path.join(upCtx.files.root, 'big.bin');
    const digest = await writeRandomFile(source, SIZE);

    let peakRss = process.memoryUsage().rss;
    const rssBefore = peakRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);

    const t0 = performance.now();
    const up = await ex.execute(ex.config.parse({ ...common, operation: 'upload', local_path: 'big.bin', remote_path: `${remoteDir}/big.bin` }), upCtx);
    const t1 = performance.now();
    const downCtx = await contextIn(base);
    const down = await ex.execute(ex.config.parse({ ...common, operation: 'download', remote_path: `${remoteDir}/big.bin`, local_path: 'copy.bin' }), downCtx);
    const t2 = performance.now();
    clearInterval(sampler);

    expect(up.files[0]!.size).toBe(SIZE);
    expect(down.files[0]!.size).toBe(SIZE);
    expect(await sha256File(path.join(remoteDir, 'big.bin'))).toBe(digest);
    expect(await sha256File(down.files[0]!.path)).toBe(digest);
    expect(await listFiles(downCtx.files.root)).toEqual(['copy.bin']);

    const mb = SIZE / 1024 / 1024;
    const report = {
      sizeMB: mb,
      uploadMs: Math.round(t1 - t0),
      uploadMBps: Math.round(mb / ((t1 - t0) / 1000)),
      downloadMs: Math.round(t2 - t1),
      downloadMBps: Math.round(mb / ((t2 - t1) / 1000)),
      rssBeforeMB: Math.round(rssBefore / 1024 / 1024),
      peakRssSampledMB: Math.round(peakRss / 1024 / 1024),
      maxRssProcessMB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    // Reported, not asserted (numbers depend on the machine).
    console.log(`sftp 200 MB transfer: ${JSON.stringify(report)}`);
  });
});
