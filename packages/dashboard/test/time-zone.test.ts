import { randomBytes } from 'node:crypto';
import { createCronSystem } from '@vecron/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserClient, serveDashboard, testExecutors } from './helpers.js';

// A system configured for another zone: the dashboard shows its times in that zone unless told otherwise.
const cron = createCronSystem({ executors: testExecutors(), encryptionKey: randomBytes(32).toString('hex'), timezone: 'Europe/London' });
let inherited: { base: string; close(): Promise<void> };
let chosen: { base: string; close(): Promise<void> };

beforeAll(async () => {
  await cron.start({ scheduler: false, worker: false });
  inherited = await serveDashboard({ cron });
  chosen = await serveDashboard({ cron, timezone: 'America/New_York' });
});
afterAll(async () => {
  await inherited.close();
  await chosen.close();
  await cron.stop({ graceMs: 0 });
});

it("labels pages with the cron system's time zone when the dashboard is given none, and with its own when it is", async () => {
  expect(cron.timezone).toBe('Europe/London');
  const job = await cron.jobs.create({ name: 'london-close', schedule: { type: 'cron', expression: '0 30 16 ? * MON-FRI' }, steps: [{ id: 'a', type: 'echo', config: { message: 1 } }] });
  const page = await browserClient(inherited.base).get(`/jobs/${job.id}`);
  expect(page.text).toContain('Times in Europe/London');
  expect(page.text).not.toContain('Asia/Ho_Chi_Minh');
  expect((await browserClient(chosen.base).get(`/jobs/${job.id}`)).text).toContain('Times in America/New_York');
});
