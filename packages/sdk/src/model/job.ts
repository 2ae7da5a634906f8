import type { JobDefinition } from './job-definition.js';

/** A stored job. */
export interface Job {
  id: string;
  name: string;
  enabled: boolean;
  version: number;
  definition: JobDefinition;
  createdAt: Date;
  updatedAt: Date;
}

/** Where a job's schedule stands: when it fires next and when it last fired. */
export interface JobFireTimes {
  jobId: string;
  /** The next instant the scheduler will act on (fire or record a skip); null when the schedule is exhausted or the job has none. */
  nextFireAt: Date | null;
  /** The nominal instant of the last fire; null before the first. */
  lastFireAt: Date | null;
}
