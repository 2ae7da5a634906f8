/**
 * Scenario b: add→start latency, open loop. Adds are sent at a fixed rate whatever the system
 * does (no coordinated omission: latency runs from the intended send instant), for `seconds`;
 * latency = the instant the no-op handler starts − the intended send instant.
 */
import { percentile, round, sleep } from '../lib/env.js';
import { createSystem } from '../lib/systems.js';
import type { SystemName } from '../lib/systems.js';

export interface LatencyArgs {
  system: SystemName;
  rate: number;
  seconds: number;
  db: string;
  id: string;
  /** Give up waiting for the last starts after this, ms. */
  drainTimeoutMs?: number;
}

export async function latency(a: LatencyArgs): Promise<Record<string, unknown>> {
  const sys = await createSystem(a.system, { db: a.db, id: a.id });
  const sent = new Map<string, number>();
  const started = new Map<string, number>();
  await sys.start({ onStart: (id) => void (started.has(id) || started.set(id, performance.now())), onDone: () => undefined });
  await sleep(1_000); // workers connected and polling
  const total = Math.round(a.rate * a.seconds);
  const t0 = performance.now();
  const adds: Promise<void>[] = [];
  let failed = 0;
  for (let i = 0; i < total; i += 1) {
    const at = t0 + (i * 1000) / a.rate;
    const wait = at - performance.now();
    if (wait > 1) await sleep(wait);
    adds.push(sys.add().then((id) => void sent.set(id, at), () => void (failed += 1)));
  }
  await Promise.all(adds);
  const deadline = performance.now() + (a.drainTimeoutMs ?? 30_000);
  while (started.size < sent.size && performance.now() < deadline) await sleep(50);
  await sys.close();
  const lat: number[] = [];
  for (const [id, at] of sent) {
    const s = started.get(id);
    if (s !== undefined) lat.push(s - at);
  }
  lat.sort((x, y) => x - y);
  return {
    sent: total,
    started: lat.length,
    notStarted: total - lat.length,
    failedAdds: failed,
    p50Ms: round(percentile(lat, 50), 1),
    p99Ms: round(percentile(lat, 99), 1),
    p999Ms: round(percentile(lat, 99.9), 1),
    maxMs: round(lat[lat.length - 1] ?? NaN, 1),
  };
}
