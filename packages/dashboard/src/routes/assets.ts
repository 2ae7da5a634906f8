import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Router } from 'express';
import { sendCompressed } from '../compress.js';

const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  br: Buffer;
  gzip: Buffer;
  type: string;
}

/**
 * The package's `assets/` folder: `../assets` from the published bundle (`dist/index.js`),
 * `../../assets` from this source file (`src/routes/`, which tests and `vecron-source` run).
 */
function assetsFolder(): URL {
  const candidates = [new URL('../assets/', import.meta.url), new URL('../../assets/', import.meta.url)];
  const found = candidates.find((dir) => existsSync(new URL('dashboard.js', dir)));
  if (!found) throw new Error(`@vecron/dashboard: assets folder not found (looked in ${candidates.map((c) => c.pathname).join(', ')})`);
  return found;
}

/** The static files, read and compressed once (brotli at its best level, gzip at 9). */
function loadAssets(): Record<string, Asset> {
  const dir = assetsFolder();
  const own = (name: string): Buffer => readFileSync(new URL(name, dir));
  const asset = (body: Buffer, type: string): Asset => ({
    body, type,
    br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    gzip: gzipSync(body, { level: 9 }),
  });
  return {
    'htmx.min.js': asset(readFileSync(require.resolve('htmx.org/dist/htmx.min.js')), 'text/javascript; charset=utf-8'),
    'dashboard.js': asset(own('dashboard.js'), 'text/javascript; charset=utf-8'),
    'dashboard.css': asset(own('dashboard.css'), 'text/css; charset=utf-8'),
    'editor.js': asset(own('editor.js'), 'text/javascript; charset=utf-8'),
    'import.js': asset(own('import.js'), 'text/javascript; charset=utf-8'),
  };
}

/** `GET /assets/:file`: public, cached for a year (the URL carries the version), brotli/gzip. */
export function assetRoutes(router: Router): void {
  const assets = loadAssets();
  router.get('/assets/:file', async (req, res) => {
    const a = assets[String(req.params.file)];
    if (!a) {
      res.status(404).type('text').send('not found');
      return;
    }
    res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    res.setHeader('x-content-type-options', 'nosniff');
    res.type(a.type);
    await sendCompressed(req, res, a.body, { br: a.br, gzip: a.gzip });
  });
}
