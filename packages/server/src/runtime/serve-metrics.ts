import http from 'node:http';
import express from 'express';
import type { CronSystem, SqlClient, Storage } from '@vecron/sdk';
import type { NatsQueue } from '@vecron/sdk/nats';
import { healthHandler, readyHandler } from '../observability/health.js';
import type { ReadinessCheck } from '../observability/health.js';
import { createMetrics } from '../observability/metrics.js';
import type { Metrics } from '../observability/metrics.js';
import type { ServerConfig } from '../config/config-schema.js';
import { closeServer, listen } from './http-listen.js';
import type { Role } from './start-server.js';

/**
 * The metrics port (`[metrics]`): `/metrics`, `/health` and `/ready`. It listens before the API;
 * `/ready` stays 503 until `isStarted()` (the API listens and cron has started).
 */
export async function serveMetrics(d: {
  config: ServerConfig; role: Role; cron: CronSystem; storage: Storage; sql: SqlClient; natsQueue: NatsQueue | null;
  checks: Record<string, ReadinessCheck>; isShuttingDown: () => boolean; isStarted: () => boolean;
}): Promise<{ metrics: Metrics; url: string; close(): Promise<void> }> {
  const nats = d.natsQueue;
  const metrics = createMetrics(d.cron, { storage: d.storage, sql: d.sql }, nats ? { queueLag: () => nats.consumerLag() } : {});
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.get('/health', healthHandler(d.role));
  app.get('/ready', readyHandler(d.checks, d.isShuttingDown, d.isStarted));
  const server = http.createServer(app);
  const url = await listen(server, d.config.metrics.host, d.config.metrics.port);
  return {
    metrics,
    url,
    close: async () => {
      metrics.close();
      await closeServer(server, 1_000);
    },
  };
}
