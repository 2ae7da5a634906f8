import type { Request, Response } from 'express';

/** One dependency check of `/ready`. */
export type ReadinessCheck = () => Promise<void>;

/** `/health`: the process is alive. */
export function healthHandler(role: string) {
  return (_req: Request, res: Response): void => {
    res.json({ status: 'ok', role, uptime_seconds: Math.round(process.uptime()) });
  };
}

/** `/ready`: each dependency's state; 503 when any is down, while the process is still starting, or while it shuts down. */
export function readyHandler(checks: Record<string, ReadinessCheck>, isShuttingDown: () => boolean, isStarted: () => boolean = () => true) {
  return async (_req: Request, res: Response): Promise<void> => {
    const results: Record<string, { ok: boolean; latency_ms: number; error?: string }> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const t0 = performance.now();
        try {
          await Promise.race([check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 3000 ms')), 3_000).unref())]);
          results[name] = { ok: true, latency_ms: Math.round(performance.now() - t0) };
        } catch (err) {
          results[name] = { ok: false, latency_ms: Math.round(performance.now() - t0), error: (err as Error).message.slice(0, 200) };
        }
      }),
    );
    const ok = !isShuttingDown() && isStarted() && Object.values(results).every((r) => r.ok);
    const status = ok ? 'ready' : isShuttingDown() ? 'shutting_down' : !isStarted() ? 'starting' : 'not_ready';
    res.status(ok ? 200 : 503).json({ status, checks: results });
  };
}
