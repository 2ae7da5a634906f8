/**
 * `@vecron/executor-http` — the executor plugin for steps of `type: "http"` (undici): Basic,
 * Bearer and OAuth2 client-credentials auth, mTLS, redirects, retry classification, a circuit
 * breaker per host, `Idempotency-Key` on every request and an opt-in private-address (SSRF) guard.
 *
 * @example
 * ```ts
 * import { createCronSystem } from '@vecron/sdk';
 * import { httpExecutor } from '@vecron/executor-http';
 *
 * const cron = createCronSystem({ executors: [httpExecutor({ timeoutSeconds: 30 })] });
 * ```
 *
 * Exports: {@link httpExecutor}, {@link httpStepConfigSchema}, {@link HTTP_ERROR_CODES},
 * {@link classifyAddress}, {@link isExpectedStatus}, {@link parseRetryAfter} and the types
 * {@link HttpExecutorOptions}, {@link HttpStepConfig}, {@link HttpStepConfigInput}, {@link HttpStepOutput}.
 *
 * @packageDocumentation
 */
export { httpExecutor } from './http-executor.js';
export type { HttpExecutorOptions, HostResolver, ResolvedAddress } from './options.js';
export { httpStepConfigSchema } from './step-config.js';
export type { HttpStepConfig, HttpStepConfigInput, HttpStepOutput, HttpAuth, HttpTls, OAuth2Auth } from './step-config.js';
export { HTTP_ERROR_CODES } from './classify.js';
export { classifyAddress, isBlockedAddress } from './address-policy.js';
export type { AddressKind } from './address-policy.js';
export { isExpectedStatus } from './expected-status.js';
export type { ExpectedStatus } from './expected-status.js';
export { parseRetryAfter } from './retry-after.js';
