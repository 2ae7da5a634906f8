import { findServerBinaries, INSTALL_HINTS, missingKinds } from './binaries.js';
import type { ServerBinaries, ServerKind } from './binaries.js';
import { dockerReachable, startContainer } from './containers.js';
import { privateMariadb, privateNats, privatePostgres, privateRedis } from './servers.js';

/** URL of each test server, by kind. */
export type TestServerUrls = Record<ServerKind, string>;

/** Every kind, in the order they are reported. */
export const SERVER_KINDS: readonly ServerKind[] = ['postgres', 'mariadb', 'redis', 'nats'];

/** Environment variables that point the tests at servers that already run (nothing is started for those). */
export const EXTERNAL_URL_ENV: Record<ServerKind, string> = {
  postgres: 'VECRON_TEST_PG_URL',
  mariadb: 'VECRON_TEST_MYSQL_URL',
  redis: 'VECRON_TEST_REDIS_URL',
  nats: 'VECRON_TEST_NATS_URL',
};

/** How each server was provided, for the start-up line. */
export type ServerSource = 'process' | 'container' | 'external';

/** Provisioned servers: their URLs, how they came, the time it took, and one call that stops them. */
export interface ProvisionedServers {
  urls: TestServerUrls;
  sources: Record<ServerKind, ServerSource>;
  /** Wall time from the call to every server accepting connections. */
  startMs: number;
  stop(): Promise<void>;
}

/** Options of {@link provisionTestServers}. */
export interface ProvisionOptions {
  /** @default every kind */
  kinds?: readonly ServerKind[];
  /** Where `VECRON_TEST_*_URL` are read. @default process.env */
  env?: Record<string, string | undefined>;
  /** @default findServerBinaries() */
  binaries?: ServerBinaries;
  /** @default a GET /_ping to the Docker engine */
  dockerReachable?: () => Promise<boolean>;
}

const STARTERS: Record<ServerKind, () => Promise<{ url: string; destroy(): Promise<void> }>> = {
  postgres: () => privatePostgres(),
  mariadb: () => privateMariadb(),
  redis: () => privateRedis(),
  nats: () => privateNats(),
};

/** The error when a server can be had neither as a process nor as a container. */
export function missingServersMessage(missing: readonly ServerKind[]): string {
  return [
    `vecron tests need private ${missing.join(', ')} server(s), but their binaries are not installed and no Docker engine answers.`,
    'Either install the binaries (nothing needs to run; the tests start their own instances on free ports):',
    ...missing.map((k) => `  - ${INSTALL_HINTS[k]}`),
    'or start a Docker engine (the tests then run them as containers through testcontainers),',
    `or point the tests at running servers: ${missing.map((k) => EXTERNAL_URL_ENV[k]).join(', ')}.`,
  ].join('\n');
}

/**
 * Starts the test servers in parallel: for each kind, the URL from its `VECRON_TEST_*_URL` variable
 * when set; else a private process on a free loopback port when its binaries are installed; else a
 * container when a Docker engine answers; else throws {@link missingServersMessage}.
 */
export async function provisionTestServers(opts: ProvisionOptions = {}): Promise<ProvisionedServers> {
  const { kinds = SERVER_KINDS, env = process.env } = opts;
  const t0 = Date.now();
  const wanted = kinds.filter((k) => !env[EXTERNAL_URL_ENV[k]]);
  const missing = missingKinds(opts.binaries ?? findServerBinaries(), wanted);
  const useContainers = missing.length > 0 && (await (opts.dockerReachable ?? dockerReachable)());
  if (missing.length > 0 && !useContainers) throw new Error(missingServersMessage(missing));

  const urls = {} as TestServerUrls;
  const sources = {} as Record<ServerKind, ServerSource>;
  const stops: Array<() => Promise<void>> = [];
  const results = await Promise.allSettled(kinds.map(async (k) => {
    const external = env[EXTERNAL_URL_ENV[k]];
    if (external) {
      urls[k] = external;
      sources[k] = 'external';
      return;
    }
    if (missing.includes(k)) {
      const c = await startContainer(k);
      stops.push(() => c.stop());
      urls[k] = c.url;
      sources[k] = 'container';
      return;
    }
    const s = await STARTERS[k]();
    stops.push(() => s.destroy());
    urls[k] = s.url;
    sources[k] = 'process';
  }));
  const stop = async (): Promise<void> => {
    await Promise.allSettled(stops.splice(0).map((s) => s()));
  };
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${kinds[i]}: ${(r.reason as Error).message}`] : []));
  if (failed.length) {
    await stop();
    throw new Error(`vecron test servers failed to start:\n${failed.join('\n')}`);
  }
  return { urls, sources, startMs: Date.now() - t0, stop };
}
