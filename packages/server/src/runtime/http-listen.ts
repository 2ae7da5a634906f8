import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on `host:port`; resolves with `http://address:port` (IPv6 in brackets). */
export const listen = (server: http.Server, host: string, port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve(`http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });

/** Stops accepting, closes idle connections now and every other one after `graceMs`. */
export const closeServer = async (server: http.Server, graceMs: number): Promise<void> => {
  const closed = new Promise<void>((r) => server.close(() => r()));
  server.closeIdleConnections();
  // SSE streams and slow clients are cut after the grace period.
  const t = setTimeout(() => server.closeAllConnections(), graceMs);
  t.unref();
  await closed;
  clearTimeout(t);
};
