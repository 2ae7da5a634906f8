import type { Request, Response } from 'express';

/** One dependency check of `/ready`. */
export type ReadinessCheck = () => Promise<void>;

/** `/health`: the process is alive. */
export function healthHandler(role: string) {
  return (_req: Request, res: Response): void => {
    res.json({ status: 'ok', role, uptime_seconds: Math.round(process.uptime()) });
  };
}

/**
 * Dependencies whose outage does not take a process out of the load balancer: Redis is a fast
 * path (locks, cache, shared rate limits) and every caller falls back to PostgreSQL without it.
 */
export const OPTIONAL_DEPENDENCIES: readonly string[] = ['redis'];

/**
 * `/ready`: each dependency's state. 503 when a required dependency (storage, NATS) is down,
 * while the process is still starting, or while it shuts down; 200 `degraded` when only an
 * optional one ({@link OPTIONAL_DEPENDENCIES}) is down.
 */
export function readyHandler(checks: Record<string, ReadinessCheck>, isShuttingDown: () => boolean, isStarted: () => boolean = () => true, optional: readonly string[] = OPTIONAL_DEPENDENCIES) {
  return async (_req: Request, res: Response): Promise<void> => {
    const results: Record<string, { ok: boolean; required: boolean; latency_ms: number; error?: string }> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const t0 = performance.now();
        try {
          await Promise.race([check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 3000 ms')), 3_000).unref())]);
          results[name] = { ok: true, required: !optional.includes(name), latency_ms: Math.round(performance.now() - t0) };
        } catch (err) {
          results[name] = { ok: false, required: !optional.includes(name), latency_ms: Math.round(performance.now() - t0), error: (err as Error).message.slice(0, 200) };
        }
      }),
    );
    const ok = !isShuttingDown() && isStarted() && Object.values(results).every((r) => r.ok || !r.required);
    const degraded = Object.values(results).some((r) => !r.ok);
    const status = ok ? (degraded ? 'degraded' : 'ready') : isShuttingDown() ? 'shutting_down' : !isStarted() ? 'starting' : 'not_ready';
    res.status(ok ? 200 : 503).json({ status, checks: results });
  };
}
