import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { serverProcess } from './server-process.js';
import type { PrivateServer } from './server-process.js';

/** A stand-in server: node listening on `port` at once, as PostgreSQL does while it still recovers. */
const listener = (port: number): string[] => [process.execPath, '-e', `require('node:net').createServer((s) => s.end()).listen(${port}, '127.0.0.1')`];

let server: PrivateServer | null = null;
afterEach(async () => {
  await server?.destroy();
  server = null;
});

describe('serverProcess', () => {
  it('resolves start() only once ready() says yes, not when the port first accepts connections', async () => {
    const port = await freePort();
    let asked = 0;
    server = serverProcess({ what: 'stand-in', port, url: `tcp://127.0.0.1:${port}`, command: listener(port), dir: null, ready: async () => ++asked >= 4 });
    await server.start();
    expect(asked).toBe(4);
  });

  it('names the server and the port when it listens but never becomes ready, and stops it', async () => {
    const port = await freePort();
    server = serverProcess({ what: 'stand-in', port, url: `tcp://127.0.0.1:${port}`, command: listener(port), dir: null, startTimeoutMs: 1_000, ready: async () => false });
    await expect(server.start()).rejects.toThrow(`stand-in listened on port ${port} but was not ready within 1000 ms`);
  });
});
