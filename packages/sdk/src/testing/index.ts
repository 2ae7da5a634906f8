/**
 * Test helpers and conformance suites for vecron adapters and plugins (uses vitest).
 *
 * @example
 * ```ts
 * import { describeCoordination, describeExecutor, describeStorage, describeQueue } from '@vecron/sdk/testing';
 * describeStorage('my store', { create: () => myStorage() });
 * describeExecutor('echo', { type: 'echo', create: () => echo, validConfig: () => ({ message: 'hi' }), invalidConfigs: [] });
 * ```
 * @packageDocumentation
 */
export { describeExecutor } from './describe-executor.js';
export type { ExecutorConformanceOptions } from './describe-executor.js';
export { describeStorage } from './describe-storage.js';
export type { StorageConformanceOptions } from './describe-storage.js';
export { describeQueue } from './describe-queue.js';
export type { QueueConformanceOptions } from './describe-queue.js';
export { describeCoordination } from './describe-coordination.js';
export type { CoordinationConformanceOptions } from './describe-coordination.js';
export { createTestStepContext } from './step-context.js';
export { freePort } from './free-port.js';
export { until, eventually } from './poll.js';
export type { PollOptions } from './poll.js';
