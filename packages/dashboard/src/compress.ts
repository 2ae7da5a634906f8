import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Content codings the dashboard answers with. */
export type Coding = 'br' | 'gzip';

/** Bodies smaller than this go out as they are (compression would not pay for its header). */
export const MIN_COMPRESS_BYTES = 1024;

/**
 * The coding to answer with for an `Accept-Encoding` header: brotli when accepted, else gzip, else
 * none. A coding listed with `q=0` is refused.
 */
export function negotiateCoding(acceptEncoding: string | undefined): Coding | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    accepted.set(name.trim(), q ? Number(q[1]) : 1);
  }
  const ok = (c: string): boolean => (accepted.get(c) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

/** Compresses a body in one coding (brotli at `quality`, gzip at its default level). */
export async function compress(body: Buffer, coding: Coding, quality = 5): Promise<Buffer> {
  return coding === 'br'
    ? brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gz(body);
}

/**
 * Sends a body, compressed with the coding the client accepts when it is large enough.
 * `precompressed` supplies ready bodies (static assets are compressed once, at the best level).
 */
export async function sendCompressed(req: Request, res: Response, body: Buffer, precompressed?: Partial<Record<Coding, Buffer>>): Promise<void> {
  res.append('vary', 'Accept-Encoding');
  const coding = body.length >= MIN_COMPRESS_BYTES ? negotiateCoding(req.get('accept-encoding')) : null;
  if (!coding) {
    res.send(body);
    return;
  }
  const out = precompressed?.[coding] ?? (await compress(body, coding));
  res.setHeader('content-encoding', coding);
  res.send(out);
}
