/**
 * Client CPU per message of the queue's burst publisher (`natsQueue(...).publishMany`):
 *
 *   node --conditions=vecron-source --import tsx bench/nats-publish-cost.ts [nats-url] [messages] [chunk] [in-flight]
 *
 * Publishes `messages` (default 50,000) execution ids through the real NATS JetStream adapter, in
 * chunks of `chunk` (default 500) with up to `in-flight` (default 10) chunks waiting for their
 * acknowledgements at once, as the scheduler does for the executions of one tick. Every message
 * carries a job id header, every other one a traceparent and every third a future not-before.
 * The stream (memory) and its subject are the bench's own and are deleted at the end.
 * Prints the client CPU (process.cpuUsage, user + system) per message and the wall time, after
 * a warm-up of 5,000 messages. Reports only; never gates CI.
 */
import { randomUUID } from 'node:crypto';
import { natsQueue } from '@vecron/sdk/nats';
import { perMessage } from './lib/env.js';
import { dropNatsStreams } from './lib/nats-streams.js';

const [urlArg, nArg, chunkArg, inFlightArg] = process.argv.slice(2);
const url = urlArg ?? 'nats://127.0.0.1:4222';
const N = Number(nArg ?? 50_000);
const CHUNK = Number(chunkArg ?? 500);
const IN_FLIGHT = Number(inFlightArg ?? 10);
const WARMUP = 5_000;

const tag = randomUUID().slice(0, 8);
const stream = `VECRON_BENCH_PUB_${tag}`;
const subject = `vecron.bench.pub.${tag}`;
const queue = natsQueue({ servers: url, stream, subject, consumer: `bench-${tag}`, storage: 'memory', duplicateWindowMs: 60_000 });
await queue.ready();

const jobId = randomUUID();
const traceparent = `00-${randomUUID().replaceAll('-', '')}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`;
const future = new Date(Date.now() + 3_600_000);
const message = (i: number): { executionId: string; jobId: string; traceparent?: string; notBefore?: Date } => ({
  executionId: randomUUID(), jobId,
  ...(i % 2 === 0 ? { traceparent } : {}),
  ...(i % 3 === 0 ? { notBefore: future } : {}),
});

/** `n` messages in chunks of `CHUNK` (built before the clock starts). */
function chunksOf(n: number): Array<ReturnType<typeof message>[]> {
  const chunks: Array<ReturnType<typeof message>[]> = [];
  for (let i = 0; i < n; i += CHUNK) chunks.push(Array.from({ length: Math.min(CHUNK, n - i) }, (_, j) => message(i + j)));
  return chunks;
}

/** Publishes the chunks, `IN_FLIGHT` at a time; returns the failures. */
async function publishAll(chunks: Array<ReturnType<typeof message>[]>): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const answers = await queue.publishMany!(chunks[next++]!);
      failed += answers.filter((a) => a !== null).length;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return failed;
}

try {
  await publishAll(chunksOf(WARMUP));
  const chunks = chunksOf(N);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const failed = await publishAll(chunks);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stored = await queue.size();
  console.log(JSON.stringify({
    messages: N, chunk: CHUNK, inFlight: IN_FLIGHT, failed, stored,
    ...perMessage(cpu, wallMs, N),
  }));
} finally {
  await queue.close();
  await dropNatsStreams([stream, `${stream}_DLQ`], url);
}
