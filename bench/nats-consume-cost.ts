/**
 * Client CPU per message of the queue's consumer (`natsQueue(...).consume`), the NATS part of a
 * worker's cost per execution with nothing else (no storage, no executor):
 *
 *   node --conditions=vecron-source --import tsx bench/nats-consume-cost.ts [nats-url] [messages] [concurrency] [raw]
 *
 * Publishes `messages` (default 20,000) execution ids with a job id header (as the dispatcher
 * does), then, on the clock, consumes them with a handler that acks at once, `concurrency`
 * (default 100, the bench worker's) in flight. Prints the client CPU (process.cpuUsage, user +
 * system) per message and the wall time. The stream (memory) is the bench's own and is deleted
 * at the end. With `raw`, the same messages go through nats.js's own `consumer.consume()` instead
 * (`max_messages` = concurrency, the job id header and the id read, acked at once): what the
 * library costs without vecron's adapter. Reports only; never gates CI.
 */
import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { natsQueue } from '@vecron/sdk/nats';
import { perMessage } from './lib/env.js';
import { dropNatsStreams } from './lib/nats-streams.js';

const [urlArg, nArg, concArg, modeArg] = process.argv.slice(2);
const RAW = modeArg === 'raw';
const url = urlArg ?? 'nats://127.0.0.1:4222';
const N = Number(nArg ?? 20_000);
const CONCURRENCY = Number(concArg ?? 100);

const tag = randomUUID().slice(0, 8);
const stream = `VECRON_BENCH_CON_${tag}`;
const queue = natsQueue({ servers: url, stream, subject: `vecron.bench.con.${tag}`, consumer: `bench-${tag}`, storage: 'memory', duplicateWindowMs: 60_000, ackWaitMs: 30_000 });
await queue.ready();

try {
  const jobId = randomUUID();
  for (let i = 0; i < N; i += 500) {
    await queue.publishMany!(Array.from({ length: Math.min(500, N - i) }, () => ({ executionId: randomUUID(), jobId })));
  }
  const stop = new AbortController();
  let seen = 0;
  let allSeen!: () => void;
  const all = new Promise<void>((r) => (allSeen = r));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let loop: Promise<void>;
  if (RAW) {
    const nc = await connect({ servers: url, timeout: 5_000 });
    const consumer = await jetstream(nc).consumers.get(stream, `bench-${tag}`);
    const messages = await consumer.consume({ max_messages: CONCURRENCY });
    loop = (async () => {
      for await (const m of messages) {
        if (m.headers?.get('Vecron-Job-Id') && m.string()) m.ack();
        if (++seen === N) break;
      }
      allSeen();
      await nc.drain();
    })();
    await loop;
  } else {
    loop = queue.consume(async (m) => {
      await m.ack();
      if (++seen === N) allSeen();
    }, { concurrency: CONCURRENCY, signal: stop.signal });
  }
  await all;
  // The last acks leave on the next turn of the event loop.
  await new Promise((r) => setImmediate(r));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  stop.abort();
  await loop;
  console.log(JSON.stringify({
    messages: N, concurrency: CONCURRENCY, consumer: RAW ? 'nats.js consume()' : 'natsQueue.consume',
    ...perMessage(cpu, wallMs, N),
  }));
} finally {
  await queue.close();
  await dropNatsStreams([stream, `${stream}_DLQ`], url);
}
