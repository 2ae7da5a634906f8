/**
 * `@vecron/sdk/redis` — coordination on Redis (`ioredis` and `redlock`, optional peer
 * dependencies): locks, cache invalidation, rate limits.
 *
 * @packageDocumentation
 */
export { redisCoordination } from './redis-coordination.js';
export type { RedisCoordination, RedisCoordinationOptions } from './redis-coordination.js';
export { SLIDING_WINDOW_LUA } from './rate-limit-script.js';
