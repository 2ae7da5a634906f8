/**
 * Test helpers and conformance suites for vecron adapters and plugins (uses vitest).
 *
 * @example
 * ```ts
 * import { describeExecutor } from '@vecron/sdk/testing';
 * describeExecutor('echo', { type: 'echo', create: () => echo, validConfig: () => ({ message: 'hi' }), invalidConfigs: [] });
 * ```
 * @packageDocumentation
 */
export { describeExecutor } from './describe-executor.js';
export type { ExecutorConformanceOptions } from './describe-executor.js';
export { createTestStepContext } from './step-context.js';
