/**
 * Migration from the systems teams run today: job files of the seed format
 * ({@link convertSeedJob}) and Quartz `job-scheduling-data` XML.
 * @module
 */
export { convertSeedJob, convertSeedJobs, splitSeedNotes, SEED_STEP_TYPES } from './seed-format.js';
export type { ConversionChange, SeedConversion } from './seed-format.js';
