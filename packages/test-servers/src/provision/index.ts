/**
 * Starting private servers (used by the vitest global setup and by the fault harness, which stops
 * and restarts its own). Tests read the run's servers through `testServers()` from the package root.
 */
export { freePort, waitForPort } from './free-port.js';
export { findServerBinaries, INSTALL_HINTS, missingKinds } from './binaries.js';
export type { ServerBinaries, ServerKind } from './binaries.js';
export { privateMariadb, privateNats, privatePostgres, privateRedis } from './servers.js';
export type { PrivateServer } from './server-process.js';
export { CONTAINER_IMAGES, dockerReachable } from './containers.js';
export { EXTERNAL_URL_ENV, missingServersMessage, provisionTestServers, SERVER_KINDS } from './provision.js';
export type { ProvisionedServers, ProvisionOptions, ServerSource, TestServerUrls } from './provision.js';
