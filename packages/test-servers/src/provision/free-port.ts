import net from 'node:net';

/**
 * A free TCP port on loopback (closed again before returning; the server binds it right after).
 * The same as `freePort` of `@vecron/sdk/testing`, kept here so this package depends on no vecron
 * package (the SDK's own tests use it).
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on `127.0.0.1:port`; rejects after `timeoutMs` or when `alive()` turns false. */
export async function waitForPort(port: number, opts: { timeoutMs?: number; alive?: () => boolean; what?: string } = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (opts.alive && !opts.alive()) throw new Error(`${opts.what ?? 'server'} exited before it listened on port ${port}`);
    if (Date.now() > deadline) throw new Error(`${opts.what ?? 'server'} did not listen on port ${port} within ${opts.timeoutMs ?? 30_000} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
