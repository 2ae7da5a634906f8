import { z } from 'zod';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import type { EventHub, ServerEvent } from '../observability/event-hub.js';

const query = z.object({ job_id: z.uuid().optional() }).strict();

/** `/api/events`: Server-Sent Events of execution and job changes. */
export function eventRoutes(d: ApiDeps, hub: EventHub) {
  return [
    defineRoute({
      method: 'get', path: '/events', access: 'execution:read', tag: 'events', summary: 'Server-Sent Events: execution.*, schedule.*, job.* (own executions only for users without the all scope); Last-Event-ID resumes within the replay window, else a stream.reset event asks to re-read', query,
      async handler(ctx) {
        const p = ctx.principal!;
        const { res, req } = ctx;
        res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
        res.flushHeaders();
        res.write('retry: 3000\n\n');
        const visible = (e: ServerEvent): boolean => {
          if (ctx.query.job_id && e.job_id !== ctx.query.job_id) return false;
          if (p.seesAllExecutions) return true;
          if (e.type.startsWith('execution.')) return e.triggered_by === p.id;
          // Schedule events of other people's runs are not private; job changes are visible to job readers.
          return e.type.startsWith('job.') ? p.permissions.has('job:read') : e.type === 'schedule.skipped';
        };
        const write = (e: ServerEvent, id: string): void => {
          if (!visible(e)) return;
          const { triggered_by: _t, ...data } = e;
          res.write(`id: ${id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        // A reconnect (Last-Event-ID) first gets what it missed, when this process still holds all of
        // it; otherwise a stream.reset event tells the client to re-read the state over REST. Replay
        // and subscription happen in the same tick, so nothing falls between them.
        const lastId = req.get('last-event-id');
        if (lastId !== undefined && lastId !== '') {
          const missed = hub.since(lastId);
          if (missed) for (const m of missed) write(m.event, m.id);
          else res.write(`id: ${hub.head()}\nevent: stream.reset\ndata: ${JSON.stringify({ last_event_id: lastId.slice(0, 100), reason: 'events after this id are no longer held by this process (another process, a restart, or older than the replay window): re-read the state (GET /api/executions, /api/jobs) and continue from here' })}\n\n`);
        }
        const off = hub.subscribe(write);
        const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        beat.unref();
        // The stream ends with its session: sign-out, disabling, deleting, a role or password change.
        const recheck = setInterval(() => {
          void d.store.principal(p.id).then(
            (now) => {
              if (!now || now.disabled || now.tokenVersion !== p.tokenVersion) res.end();
            },
            (err: unknown) => d.logger.warn({ err }, 'event stream session check failed'),
          );
        }, d.config.auth.session_check_ms);
        recheck.unref();
        await new Promise<void>((resolve) => {
          const done = (): void => {
            clearInterval(beat);
            clearInterval(recheck);
            off();
            resolve();
          };
          req.on('close', done);
          res.on('close', done);
        });
      },
    }),
  ];
}
