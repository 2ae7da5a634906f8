/** The address classification lives in `@vecron/sdk` (the database and SFTP steps use it too). */
export { classifyAddress, isBlockedAddress, isHostAllowed, isLocalhostName, normaliseHost } from '@vecron/sdk';
export type { AddressKind } from '@vecron/sdk';
