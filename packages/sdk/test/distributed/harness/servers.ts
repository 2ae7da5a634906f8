/**
 * The fault tests' private servers, which they stop and restart themselves (so the run's shared
 * test servers are never disturbed). One implementation for every test: @vecron/test-servers.
 */
export { freePort, privateNats, privatePostgres, privateRedis } from '@vecron/test-servers/provision';
export type { PrivateServer } from '@vecron/test-servers/provision';
