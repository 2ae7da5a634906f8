import { z } from 'zod';
import { parseFingerprint } from './fingerprint.js';
import { compileWildcard } from './glob.js';

/** A host-key fingerprint as `ssh-keygen -lf` prints it. */
export const fingerprintSchema = z
  .string()
  .refine((v) => parseFingerprint(v) !== null, {
    message: 'expected a host-key fingerprint as printed by `ssh-keygen -lf` ("SHA256:<43 base64 chars>" or legacy MD5 hex)',
  });

/** One fingerprint, or several (e.g. one per host-key type the server offers): any of them matches. */
export const fingerprintListSchema = z.union([fingerprintSchema, z.array(fingerprintSchema).min(1)]);

/** An integer that may arrive as a string after `${VAR}` substitution. */
const intLike = (min: number, max: number) =>
  z.union([z.number(), z.string().regex(/^\s*\d+\s*$/, 'expected a whole number').transform(Number)]).pipe(z.number().int().min(min).max(max));

const positiveLike = z
  .union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*$/, 'expected a number').transform(Number)])
  .pipe(z.number().positive());

const noNul = (what: string) => z.string().min(1).refine((v) => !v.includes('\0'), `${what} must not contain NUL`);

/** `auth: { type: password, username, password }` */
export const passwordAuthSchema = z.strictObject({
  type: z.literal('password'),
  username: z.string().min(1),
  password: z.string().min(1),
});

/**
 * `auth: { type: ssh_key, username, private_key | private_key_path, passphrase? }` — exactly one of
 * `private_key` (the PEM/OpenSSH text, usually from a sensitive `${VAR}`) and `private_key_path`
 * (a file inside a folder listed in the executor's `privateKeyDirs`).
 */
export const sshKeyAuthSchema = z
  .strictObject({
    type: z.literal('ssh_key'),
    username: z.string().min(1),
    private_key: z.string().min(1).optional(),
    private_key_path: noNul('private_key_path').optional(),
    passphrase: z.string().optional(),
  })
  .refine((a) => (a.private_key === undefined) !== (a.private_key_path === undefined), {
    message: 'give exactly one of private_key and private_key_path',
    path: ['private_key'],
  });

/** `options` of an SFTP step. */
export const sftpStepOptionsSchema = z.strictObject({
  /** Base-name wildcard (`*.csv`, `SAO_KE_*.xlsx`, `?`, `[0-9]`); `remote_path` (download) or `local_path` (upload) is then a folder. */
  wildcard_pattern: z
    .string()
    .min(1)
    .refine((p) => !p.includes('/'), 'wildcard_pattern matches base names and must not contain "/"')
    .refine((p) => {
      try {
        compileWildcard(p);
        return true;
      } catch {
        return false;
      }
    }, 'wildcard_pattern is not a valid wildcard')
    .optional(),
  /** Descend into sub-folders, mirroring their layout on the other side. @default false */
  recursive: z.boolean().default(false),
  /** Upload: create missing remote folders (like `mkdir -p`). @default false */
  create_directories: z.boolean().default(false),
  /** Check the server's host key against a pinned fingerprint. @default true */
  verify_host_key: z.boolean().default(true),
  /** Pinned fingerprint(s), overriding the executor's `knownHosts` for this step. */
  host_key_fingerprint: fingerprintListSchema.optional(),
  /** Upload under a hidden temporary name and rename when complete, so readers never see a partial file. @default true */
  atomic_upload: z.boolean().default(true),
  /** Succeed with `files: []` when nothing matches, instead of failing with `SFTP_NOT_FOUND`. @default false */
  allow_empty: z.boolean().default(false),
});

/** The `config` of a step of `type: "sftp"` (docs/architecture.md#the-job-format), after template substitution. */
export const sftpStepConfigSchema = z
  .strictObject({
    operation: z.enum(['download', 'upload']),
    host: z.string().min(1).refine((h) => !/[\s/]/.test(h), 'host must be a host name or an IP address'),
    port: intLike(1, 65535).default(22),
    auth: z.discriminatedUnion('type', [passwordAuthSchema, sshKeyAuthSchema]),
    remote_path: noNul('remote_path'),
    local_path: noNul('local_path').optional(),
    options: sftpStepOptionsSchema.prefault({}),
    timeout_seconds: positiveLike.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.operation === 'upload' && c.local_path === undefined) {
      ctx.addIssue({ code: 'custom', path: ['local_path'], message: 'local_path is required for an upload (the file or folder to send)' });
    }
  });

/** An SFTP step config as written in a job (defaults optional). */
export type SftpStepConfigInput = z.input<typeof sftpStepConfigSchema>;
/** An SFTP step config after validation (defaults filled in). */
export type SftpStepConfig = z.output<typeof sftpStepConfigSchema>;
/** The `auth` block after validation. */
export type SftpAuth = SftpStepConfig['auth'];
