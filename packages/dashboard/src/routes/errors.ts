import type { Request, Response } from 'express';
import { ConflictError, NotFoundError, ValidationError, VecronError } from '@vecron/sdk';
import { translator } from '../i18n/index.js';
import type { Kit, RequestState } from '../kit.js';
import { HttpProblem, isHtmx } from '../kit.js';
import { flash } from '../views/components.js';
import { errorBody } from '../views/misc.js';

const isClientStatus = (s: unknown): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 500;

/** Answers an error: a page for navigation, a flash for htmx and fragments. Unexpected ones go to `onError`. */
export function problemAnswerer(kit: Kit): (req: Request, res: Response, err: unknown) => Promise<void> {
  return async (req, res, err) => {
    const st = res.locals.dashboard as RequestState | undefined;
    const t = st?.view.t ?? translator(kit.defaultLang);
    let status = 500;
    let message = t('error.title');
    if (err instanceof HttpProblem) [status, message] = [err.status, err.message];
    else if (err instanceof NotFoundError) [status, message] = [404, t('error.notFound')];
    else if (err instanceof ConflictError || err instanceof ValidationError) [status, message] = [err instanceof ConflictError ? 409 : 400, err.message];
    // A host's typed error with an HTTP status (e.g. the server's 403 "grants never exceed the granter" from the admin port).
    else if (err instanceof VecronError && isClientStatus((err as VecronError & { status?: unknown }).status)) [status, message] = [(err as VecronError & { status: number }).status, err.message];
    else kit.onError(err, req);
    if (res.headersSent) return;
    if (isHtmx(req) || !st || req.path.startsWith('/fragments/')) {
      await kit.send(req, res, flash('error', message), status);
      return;
    }
    await kit.page(req, res, { title: t('error.title'), section: 'error', body: errorBody(st.view, message), status });
  };
}
