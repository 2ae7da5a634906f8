import { describe, expect, it } from 'vitest';
import { findServerBinaries } from './binaries.js';
import { provisionTestServers } from './provision.js';

const none = { postgres: null, mariadb: null, redis: null, nats: null };

describe('provisionTestServers', () => {
  it('names every missing server, how to install it and the other ways, when there are no binaries and no Docker engine', async () => {
    const err = await provisionTestServers({ env: {}, binaries: { ...findServerBinaries(), mariadb: null, nats: null }, dockerReachable: async () => false }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain('private mariadb, nats server(s)');
    expect(msg).toContain('apt-get install mariadb-server');
    expect(msg).toContain('apt-get install nats-server');
    expect(msg).not.toContain('apt-get install postgresql');
    expect(msg).toContain('Docker engine');
    expect(msg).toContain('VECRON_TEST_MYSQL_URL, VECRON_TEST_NATS_URL');
  });

  it('starts nothing for a server given by its VECRON_TEST_*_URL, even without its binaries', async () => {
    const s = await provisionTestServers({ kinds: ['redis'], env: { VECRON_TEST_REDIS_URL: 'redis://example.invalid:1' }, binaries: none, dockerReachable: async () => false });
    expect(s.urls).toEqual({ redis: 'redis://example.invalid:1' });
    expect(s.sources).toEqual({ redis: 'external' });
    await s.stop();
  });
});
