/**
 * Job and execution ids are UUIDs (vecron makes them with `randomUUID()`). An id of another shape
 * names nothing: callers answer "not found" for it instead of sending it to the database, where a
 * uuid column would refuse it with a driver error (PostgreSQL 22P02).
 */
export const isUuid = (id: unknown): id is string =>
  typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
