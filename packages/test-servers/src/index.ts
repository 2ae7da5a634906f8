/**
 * The servers of this test run, for vecron's own integration tests:
 *
 * ```ts
 * import { testServers } from '@vecron/test-servers';
 * const { postgres, mariadb, redis, nats } = testServers(); // URLs
 * ```
 *
 * The project's `globalSetup` (`@vecron/test-servers/global-setup`) starts private instances on
 * free loopback ports (or uses `VECRON_TEST_*_URL`, or containers; see README.md). Every test
 * still isolates itself on them: its own database, schema, stream, key prefix.
 * @packageDocumentation
 */
import { inject } from 'vitest';
import type { TestServerUrls } from './provision/provision.js';

export type { TestServerUrls } from './provision/provision.js';

/** URLs of the run's PostgreSQL (superuser, `postgres` database), MariaDB (`root`, `test` database), Redis and NATS. */
export function testServers(): TestServerUrls {
  const urls = inject('vecronTestServers');
  if (!urls) {
    throw new Error('no test servers in this vitest project: add "@vecron/test-servers/global-setup" to its globalSetup (vitest.config.ts)');
  }
  return urls;
}
