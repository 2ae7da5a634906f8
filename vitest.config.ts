import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (tests beside the code, no servers) and `integration`
 * (`packages/*\/test/**`, real PostgreSQL, MariaDB, Redis, NATS, sshd on loopback).
 * Both resolve workspace packages to their TypeScript sources through the
 * `vecron-source` export condition, so tests never need a build first.
 */
const resolve = { conditions: ['vecron-source', 'import', 'node', 'default'] };

export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
