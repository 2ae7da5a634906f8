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
