/**
 * Outbound address policy shared by the steps that connect out (HTTP, database, SFTP).
 *
 * Exports: {@link classifyAddress}, {@link isBlockedAddress}, {@link isHostAllowed},
 * {@link isLocalhostName}, {@link normaliseHost}, {@link checkOutboundHost} and the types
 * {@link AddressKind}, {@link OutboundPolicy}.
 *
 * @module
 */
export { classifyAddress, isBlockedAddress, isHostAllowed, isLocalhostName, normaliseHost } from './address-policy.js';
export type { AddressKind } from './address-policy.js';
export { checkOutboundHost } from './outbound-guard.js';
export type { OutboundPolicy } from './outbound-guard.js';
