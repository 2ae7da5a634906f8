/**
 * Throughput of the http executor against a local node:http server, next to raw undici.request,
 * to show the executor's overhead (validation is done once; each call builds headers, goes through
 * the circuit breaker, reads and parses the body). Reports, does not assert.
 *
 *   node --conditions=vecron-source --import tsx packages/executor-http/bench/throughput.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestStepContext } from '@vecron/sdk/testing';
import { request } from 'undici';
import { httpExecutor } from '../src/index.js';

const N = Number(process.env.BENCH_N ?? 5000);
const C = 16;
const server = createServer((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const ctx = await createTestStepContext();

async function run(label: string, one: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 200; i++) await one();
  let t = performance.now();
  for (let i = 0; i < N; i++) await one();
  const seq = N / ((performance.now() - t) / 1000);
  t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: C }, async () => {
    while (next++ < N) await one();
  }));
  const par = N / ((performance.now() - t) / 1000);
  process.stdout.write(`${label.padEnd(28)} sequential ${seq.toFixed(0).padStart(6)} req/s   concurrency ${C} ${par.toFixed(0).padStart(6)} req/s\n`);
}

const plain = httpExecutor();
const guarded = httpExecutor({ blockPrivateAddresses: true, allowHosts: ['127.0.0.1'] });
const cfg = plain.config.parse({ url });
await run('undici.request (raw)', async () => (await request(url)).body.json());
await run('httpExecutor', () => plain.execute(cfg, ctx));
await run('httpExecutor + SSRF guard', () => guarded.execute(cfg, ctx));
await plain.close?.();
await guarded.close?.();
server.close();
