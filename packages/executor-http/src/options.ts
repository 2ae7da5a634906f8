import { parseConfig } from '@vecron/sdk';
import { z } from 'zod';

/** One resolved address, as `dns.lookup(…, { all: true })` returns it. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to its addresses (replaces `dns.lookup`). */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', `${what} must be a function`);

/** zod schema of {@link HttpExecutorOptions}. */
export const httpExecutorOptionsSchema = z
  .object({
    timeoutSeconds: z.number().positive().max(86_400).default(30),
    maxResponseBytes: z.int().positive().default(10 * 1024 * 1024),
    maxRedirects: z.int().min(0).max(20).default(5),
    userAgent: z.string().min(1).default('vecron-http/0.1'),
    headers: z.record(z.string(), z.string()).default({}),
    circuitBreaker: z
      .union([
        z.literal(false),
        z
          .object({
            failureThreshold: z.int().positive().optional(),
            resetAfterMs: z.int().positive().optional(),
            now: fn<() => number>('circuitBreaker.now').optional(),
          })
          .strict(),
      ])
      .default({}),
    blockPrivateAddresses: z.boolean().default(false),
    allowHosts: z.array(z.string().min(1)).default([]),
    connections: z.int().positive().optional(),
    keepAliveTimeoutMs: z.int().positive().default(4_000),
    connectTimeoutMs: z.int().positive().default(10_000),
    oauth2ExpirySkewSeconds: z.number().min(0).default(30),
    resolve: fn<HostResolver>('resolve').optional(),
  })
  .strict();

/**
 * Options of {@link httpExecutor}. Every field is optional.
 */
export interface HttpExecutorOptions {
  /** Request timeout when a step sets no `timeout_seconds`, seconds. @default 30 */
  timeoutSeconds?: number;
  /** Largest response body accepted; a larger one fails the step (not retried). @default 10485760 (10 MiB) */
  maxResponseBytes?: number;
  /** Redirect hops followed when a step has `follow_redirects: true`. @default 5 */
  maxRedirects?: number;
  /** `User-Agent` sent unless a step sets one. @default 'vecron-http/0.1' */
  userAgent?: string;
  /** Headers sent on every request; a step's `headers` override them. @default {} */
  headers?: Record<string, string>;
  /**
   * Circuit breaker per target host (`host:port`): after `failureThreshold` consecutive retryable
   * failures, calls fail fast with `CircuitOpenError` for `resetAfterMs`. `false` turns it off.
   * @default { failureThreshold: 5, resetAfterMs: 30000 }
   */
  circuitBreaker?: false | { failureThreshold?: number; resetAfterMs?: number; now?: () => number };
  /**
   * Refuse loopback, private, link-local, unspecified, multicast and reserved addresses (SSRF
   * guard), checked on the URL's IP literal and on every resolved address at connect time, for every
   * redirect hop and the OAuth2 token request. Refusals throw `NonRetryableError` with code
   * `ADDRESS_BLOCKED`.
   * @default false
   */
  blockPrivateAddresses?: boolean;
  /**
   * Hosts exempt from {@link HttpExecutorOptions.blockPrivateAddresses}: exact names or IP literals,
   * or `*.suffix` wildcards. Matched on the URL host of each hop, not on resolved addresses.
   * @default []
   */
  allowHosts?: string[];
  /** Maximum connections per origin (undici `connections`). @default unlimited */
  connections?: number;
  /** Idle keep-alive socket lifetime, ms. @default 4000 */
  keepAliveTimeoutMs?: number;
  /** TCP/TLS connect timeout, ms. @default 10000 */
  connectTimeoutMs?: number;
  /** OAuth2 tokens are renewed this many seconds before `expires_in` runs out. @default 30 */
  oauth2ExpirySkewSeconds?: number;
  /**
   * Replaces `dns.lookup` for host names (split-horizon DNS, tests). The private-address policy
   * still checks whatever it returns.
   * @default dns.lookup with `{ all: true }`
   */
  resolve?: HostResolver;
}

/** Options after defaults. */
export type ResolvedHttpExecutorOptions = z.output<typeof httpExecutorOptionsSchema>;

/** Validates options at the boundary; throws `ConfigError` listing every issue with its path. */
export function parseHttpExecutorOptions(input: unknown): ResolvedHttpExecutorOptions {
  return parseConfig(httpExecutorOptionsSchema, input ?? {}, 'httpExecutor options');
}
