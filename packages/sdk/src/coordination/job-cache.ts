import type { Job } from '../model/job.js';
import type { Storage } from '../storage/port.js';
import type { Coordination } from './port.js';

/** How long a job definition is cached; invalidations through coordination end it sooner, in every process. */
export const JOB_CACHE_TTL_MS = 5_000;

/** The cache key of a job's definition: what `readJob` caches and every change of the job must invalidate. */
export const jobCacheKey = (jobId: string): string => `job:${jobId}`;

/** The job through the coordination cache when there is one, else straight from storage. */
export function readJob(storage: Storage, coordination: Coordination | undefined, jobId: string): Promise<Job | null> {
  return coordination ? coordination.cached(jobCacheKey(jobId), JOB_CACHE_TTL_MS, () => storage.getJob(jobId)) : storage.getJob(jobId);
}
