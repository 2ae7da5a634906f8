import { createRequire } from 'node:module';
import Module from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let patched = false;

/**
 * Loads a CommonJS package. Under `--conditions=module` (some test runners set it), Node resolves
 * `require('@opentelemetry/api')` to its ESM build, which uses extensionless imports that only
 * bundlers resolve, and crashes. The CommonJS build is loaded instead and registered under the
 * ESM path, so every `require` of the API (ours, prom-client's, the SDK's) gets one working copy.
 */
export function requireCjs<T>(name: string): T {
  if (!patched) {
    patched = true;
    try {
      const resolved = require.resolve('@opentelemetry/api');
      const esm = `${path.sep}build${path.sep}esm${path.sep}`;
      if (resolved.includes(esm)) {
        const cjs = resolved.replace(esm, `${path.sep}build${path.sep}src${path.sep}`);
        require(cjs);
        const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
        cache[resolved] = cache[cjs];
      }
    } catch {
      // Not installed or already fine: the plain require below reports real problems.
    }
  }
  return require(name) as T;
}
