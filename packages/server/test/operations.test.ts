import { privateRedis } from '@vecron/test-servers/provision';
import type { PrivateServer } from '@vecron/test-servers/provision';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/runtime/start-server.js';
import { startTestServer } from './helpers.js';

/** Issue 17: operational behaviour of a real server process (readiness under a partial outage). */

let redis: PrivateServer | undefined;
let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
  await redis?.destroy();
});

describe('operations', () => {
  it('/ready stays 200 "degraded" while the optional Redis is down, and is "ready" again once it is back', async () => {
    redis = await privateRedis();
    server = await startTestServer({ coordination: { redis_url: redis.url, key_prefix: 'ops-ready:' } });
    const ready = async (): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; required: boolean }> } }> => {
      const res = await fetch(`${server!.metricsUrl}/ready`);
      return { status: res.status, body: await res.json() as never };
    };
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready', checks: { storage: { ok: true, required: true }, redis: { ok: true, required: false } } } });
    await redis.stop();
    const down = await ready();
    expect(down).toMatchObject({ status: 200, body: { status: 'degraded', checks: { storage: { ok: true }, redis: { ok: false, required: false } } } });
    await redis.start();
    let back = await ready();
    for (let i = 0; i < 50 && back.body.status !== 'ready'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      back = await ready();
    }
    expect(back).toMatchObject({ status: 200, body: { status: 'ready' } });
  });
});
