import type { ServerConfig } from '../config/config-schema.js';
import type { CommandResult } from './commands.js';

/** Where a process of this configuration answers `/health`: the metrics listener (every role), else the API's. */
export function healthUrl(config: ServerConfig): string {
  const { host, port } = config.metrics.enabled ? config.metrics : config.api;
  // A wildcard listener is reached on loopback; a bracketed form for an IPv6 address.
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${target}:${port}/health`;
}

/**
 * `vecron healthcheck`: exit 0 when this container's server answers `/health` with 200 within
 * `timeoutMs` (the image's HEALTHCHECK; it needs no curl or wget in the image).
 */
export async function healthcheckCommand(config: ServerConfig, timeoutMs = 3_000): Promise<CommandResult> {
  const url = healthUrl(config);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { lines: [`${url}: ${res.status} ${body.slice(0, 200)}`], code: res.status === 200 ? 0 : 1 };
  } catch (err) {
    return { lines: [`${url}: ${(err as Error).message}`], code: 1 };
  }
}
