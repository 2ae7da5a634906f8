import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { healthcheckCommand, healthUrl } from './healthcheck.js';

describe('vecron healthcheck', () => {
  it('asks the metrics listener (every role has it), on loopback for a wildcard address, else the API', () => {
    expect(healthUrl(loadConfig({ env: { VECRON__METRICS__HOST: '0.0.0.0', VECRON__METRICS__PORT: '9500' } }))).toBe('http://127.0.0.1:9500/health');
    expect(healthUrl(loadConfig({ env: { VECRON__METRICS__HOST: '::1' } }))).toBe('http://[::1]:9464/health');
    expect(healthUrl(loadConfig({ env: { VECRON__METRICS__ENABLED: 'false', VECRON__API__PORT: '8080' } }))).toBe('http://127.0.0.1:8080/health');
  });

  it('exits 0 on a 200, 1 on any other status or when nothing answers', async () => {
    let status = 200;
    const server = http.createServer((_q, res) => res.writeHead(status).end('{"status":"ok"}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const config = loadConfig({ env: { VECRON__METRICS__PORT: String(port) } });
    try {
      expect((await healthcheckCommand(config)).code).toBe(0);
      status = 503;
      expect((await healthcheckCommand(config)).code).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect((await healthcheckCommand(config, 500)).code).toBe(1);
  });
});
