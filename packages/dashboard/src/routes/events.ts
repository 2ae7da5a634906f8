import type { Router } from 'express';
import { parseCookies } from '../cookies.js';
import type { Kit } from '../kit.js';
import { HttpProblem } from '../kit.js';

/** `GET /events`: live updates over SSE, closed when the session ends. */
export function eventRoutes(router: Router, kit: Kit): void {
  const { state, auth, live } = kit;
  router.get('/events', (req, res) => {
    const st = state(res);
    if (!st.allowed.has('execution:read') && !st.allowed.has('job:read')) throw new HttpProblem(403, st.view.t('error.forbidden', { permission: 'execution:read' }));
    const detailed = !st.user || st.user.seesAllExecutions !== false;
    res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    res.write('retry: 3000\n\nevent: ready\ndata: {}\n\n');
    let id = 0;
    const off = live.subscribe((e) => {
      // Users who see only their own runs get the kind of change, not whose run it was.
      const data = detailed ? { job_id: e.jobId ?? null, execution_id: e.executionId ?? null, status: e.status ?? null } : {};
      res.write(`id: ${++id}\nevent: ${e.type}\ndata: ${JSON.stringify(data)}\n\n`);
    });
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    beat.unref();
    // The stream ends with its session (sign-out, disabled user, role change, …).
    const session = parseCookies(req.get('cookie'))[kit.sessionCookie];
    const recheck = auth && session
      ? setInterval(() => {
          void auth.verify(session, req).then(
            (u) => {
              if (!u) res.end();
            },
            () => res.end(),
          );
        }, auth.sessionCheckMs ?? 1000)
      : null;
    recheck?.unref();
    const done = (): void => {
      clearInterval(beat);
      if (recheck) clearInterval(recheck);
      off();
    };
    req.on('close', done);
    res.on('close', done);
  });
}
