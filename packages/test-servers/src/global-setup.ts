/**
 * vitest `globalSetup` of the projects that need servers (integration, distributed, deploy): starts
 * PostgreSQL, MariaDB, Redis and NATS once per vitest run (shared by every project of the run,
 * counted on globalThis since each project loads this file on its own) and provides their URLs
 * to the tests, which read them with `testServers()`.
 */
import type { TestProject } from 'vitest/node';
import { provisionTestServers } from './provision/provision.js';
import type { ProvisionedServers, TestServerUrls } from './provision/provision.js';

declare module 'vitest' {
  interface ProvidedContext {
    vecronTestServers: TestServerUrls;
  }
}

interface Shared {
  users: number;
  ready: Promise<ProvisionedServers>;
}

const KEY = Symbol.for('vecron.test-servers');
const holder = globalThis as { [KEY]?: Shared };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let shared = holder[KEY];
  if (!shared) {
    shared = { users: 0, ready: provisionTestServers() };
    holder[KEY] = shared;
    shared.ready.then((s) => {
      const where = Object.entries(s.urls).map(([k, url]) => `${k} ${s.sources[k as keyof TestServerUrls] === 'process' ? new URL(url).port : `${s.sources[k as keyof TestServerUrls]} ${url}`}`);
      process.stderr.write(`test servers ready in ${s.startMs} ms: ${where.join(', ')}\n`);
    }, () => undefined);
  }
  shared.users += 1;
  const servers = await shared.ready;
  project.provide('vecronTestServers', servers.urls);
  const mine = shared;
  return async () => {
    mine.users -= 1;
    if (mine.users > 0) return;
    if (holder[KEY] === mine) delete holder[KEY];
    await servers.stop();
  };
}
