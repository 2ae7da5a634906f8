import { VecronError } from '@vecron/sdk';
import type { VecronErrorCode } from '@vecron/sdk';

/** An error the API answers with a given HTTP status and a stable code. */
export class ApiError extends VecronError {
  /** HTTP status of the response. */
  readonly status: number;
  /** Extra response headers (e.g. `Retry-After`). */
  readonly headers: Record<string, string>;
  constructor(status: number, code: VecronErrorCode, message: string, options: { details?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(code, message, { details: options.details ?? {} });
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** 401: no valid credentials. */
export const unauthenticated = (message = 'authentication required'): ApiError => new ApiError(401, 'UNAUTHENTICATED', message);
/** 403: authenticated but not allowed. */
export const forbidden = (message: string, details?: Record<string, unknown>): ApiError => new ApiError(403, 'FORBIDDEN', message, details ? { details } : {});
/** 404 for a missing entity. */
export const notFound = (kind: string, id: string): ApiError => new ApiError(404, 'NOT_FOUND', `${kind} ${id} not found`, { details: { kind, id } });
/** 429 with `Retry-After` in whole seconds. */
export const tooManyRequests = (message: string, retryAfterMs: number): ApiError =>
  new ApiError(429, 'RATE_LIMITED', message, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) }, details: { retry_after_ms: retryAfterMs } });

const STATUS_BY_CODE: Record<string, number> = {
  VALIDATION_FAILED: 400,
  CONFIG_INVALID: 400,
  TEMPLATE_UNRESOLVED: 400,
  SCHEDULE_INVALID: 400,
  UNKNOWN_STEP_TYPE: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

/** The one JSON error shape of every API response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; request_id: string };
}

/** Maps anything thrown to a status and the error body; unknown errors become an opaque 500. */
export function toErrorResponse(err: unknown, requestId: string): { status: number; headers: Record<string, string>; body: ErrorBody } {
  if (err instanceof ApiError) {
    return { status: err.status, headers: err.headers, body: { error: { code: err.code, message: err.message, ...(Object.keys(err.details).length ? { details: err.details } : {}), request_id: requestId } } };
  }
  if (err instanceof VecronError && err.code === 'CRYPTO_FAILED') {
    // A stored secret under a key this process does not have (removed too early) or altered: the
    // operator's to fix, never an opaque 500. The key id is not secret.
    const keyId = findKeyId(err);
    return {
      status: 409, headers: {},
      body: { error: { code: 'SECRET_UNDECRYPTABLE', message: `a stored secret cannot be decrypted${keyId ? ` (key id ${keyId})` : ''}: configure its key in security.previous_encryption_keys, or set the secret again`, ...(keyId ? { details: { key_id: keyId } } : {}), request_id: requestId } },
    };
  }
  if (err instanceof VecronError) {
    const status = STATUS_BY_CODE[err.code] ?? (err.code === 'STORAGE_FAILED' ? 503 : 500);
    if (status < 500) {
      return { status, headers: {}, body: { error: { code: err.code, message: err.message.split('\n')[0]!, ...(Object.keys(err.details).length ? { details: err.details } : {}), request_id: requestId } } };
    }
    return { status, headers: {}, body: { error: { code: status === 503 ? 'UNAVAILABLE' : 'INTERNAL', message: status === 503 ? 'a dependency is unavailable; retry later' : 'internal error', request_id: requestId } } };
  }
  // body-parser errors carry `type` and `status`.
  const e = err as { type?: string; status?: number; expose?: boolean };
  if (e && typeof e === 'object' && e.type === 'entity.too.large') {
    return { status: 413, headers: {}, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large', request_id: requestId } } };
  }
  if (e && typeof e === 'object' && e.type === 'entity.parse.failed') {
    return { status: 400, headers: {}, body: { error: { code: 'INVALID_JSON', message: 'request body is not valid JSON', request_id: requestId } } };
  }
  if (e && typeof e === 'object' && typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return { status: e.status, headers: {}, body: { error: { code: 'BAD_REQUEST', message: 'malformed request', request_id: requestId } } };
  }
  return { status: 500, headers: {}, body: { error: { code: 'INTERNAL', message: 'internal error', request_id: requestId } } };
}

/** The key id a CryptoError (or the one it wraps) names, if any. */
function findKeyId(err: unknown): string | null {
  for (let e = err as { details?: Record<string, unknown>; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.details?.keyId === 'string') return e.details.keyId;
  }
  return null;
}
