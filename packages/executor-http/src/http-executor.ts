import { ShutdownError, createCircuitBreakers, defineExecutor, type Executor } from '@vecron/sdk';
import { createDispatchers } from './dispatchers.js';
import { executeHttpStep, type HttpStepDeps } from './execute-step.js';
import { createTokenCache } from './oauth2-tokens.js';
import { parseHttpExecutorOptions, type HttpExecutorOptions } from './options.js';
import { httpStepConfigSchema, type HttpStepConfig, type HttpStepConfigInput, type HttpStepOutput } from './step-config.js';

/**
 * Creates the executor for steps of `type: "http"`.
 *
 * @example
 * ```ts
 * import { createCronSystem } from '@vecron/sdk';
 * import { httpExecutor } from '@vecron/executor-http';
 *
 * const cron = createCronSystem({ executors: [httpExecutor({ blockPrivateAddresses: true })] });
 * ```
 *
 * @throws ConfigError when `options` are invalid (every issue listed with its path).
 */
export function httpExecutor(options: HttpExecutorOptions = {}): Executor<HttpStepConfig, HttpStepOutput, 'http', HttpStepConfigInput> {
  const opts = parseHttpExecutorOptions(options);
  const dispatchers = createDispatchers({
    blockPrivateAddresses: opts.blockPrivateAddresses,
    allowHosts: opts.allowHosts,
    resolve: opts.resolve,
    connections: opts.connections,
    keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
    connectTimeoutMs: opts.connectTimeoutMs,
  });
  const breakers = opts.circuitBreaker === false ? undefined : createCircuitBreakers(opts.circuitBreaker);
  const tokens = createTokenCache({
    skewMs: opts.oauth2ExpirySkewSeconds * 1000,
    timeoutMs: opts.timeoutSeconds * 1000,
    maxBytes: Math.min(opts.maxResponseBytes, 1024 * 1024),
    userAgent: opts.userAgent,
  });
  const deps: HttpStepDeps = { opts, dispatchers, breakers, tokens };
  let closed = false;

  return defineExecutor<HttpStepConfig, HttpStepOutput, 'http', HttpStepConfigInput>({
    type: 'http',
    config: httpStepConfigSchema,
    async execute(config, ctx) {
      if (closed) throw new ShutdownError();
      return executeHttpStep(deps, config, ctx);
    },
    async close() {
      if (closed) return;
      closed = true;
      tokens.clear();
      await dispatchers.close();
    },
  });
}
