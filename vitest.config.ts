import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (tests beside the code, no servers), `integration`
 * (`packages/*\/test/**`, real PostgreSQL, MariaDB, Redis, NATS, sshd on loopback) and
 * `distributed` (multi-process fault tests; `pnpm test` runs it after the others, alone, since it
 * uses short leases and kills processes).
 * The projects that need servers start their own: `@vecron/test-servers/global-setup` starts
 * private PostgreSQL, MariaDB, Redis and NATS instances on free ports once per run, and the tests
 * read their URLs with `testServers()` (sshd is started by the SFTP tests themselves).
 * Both resolve workspace packages to their TypeScript sources through the
 * `vecron-source` export condition, so tests never need a build first.
 */
const conditions = ['vecron-source', 'module', 'node', 'development|production'];
const resolve = { conditions };
const ssr = { resolve: { conditions } };
const globalSetup = ['./packages/test-servers/src/global-setup.ts'];

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'integration',
          globalSetup,
          include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['packages/sdk/test/distributed/**', 'packages/server/test/distributed/**', '**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          // Multi-process fault tests on private PostgreSQL/NATS/Redis servers (issue 3) and the
          // distributed adapters' integration tests, and the server's multi-process acceptance test
          // (issue 6): `vitest run --project distributed`.
          name: 'distributed',
          globalSetup,
          include: ['packages/sdk/test/distributed/**/*.test.ts', 'packages/server/test/distributed/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          // The deployment artefacts (issue 16): the image built once per run with podman and run
          // as `vecron all` and as separate roles on the test servers; the Kubernetes overlays
          // rendered and validated; Compose and Prometheus configs checked. `pnpm test:deploy`
          // (run by .ci/run after `pnpm test`; needs podman, runc, podman-compose, kubectl, promtool).
          name: 'deploy',
          include: ['deploy/test/**/*.test.ts'],
          globalSetup: [...globalSetup, './deploy/test/image-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
