export type { Coordination, CoordinationLock, LockAttempt, RateLimitResult } from './port.js';
export { memoryCoordination } from './memory-coordination.js';
export type { MemoryCoordinationOptions } from './memory-coordination.js';
