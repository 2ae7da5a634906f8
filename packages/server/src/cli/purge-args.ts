import { z } from 'zod';
import type { PurgeCommandOptions } from './commands.js';

const argsSchema = z
  .object({
    dryRun: z.boolean(),
    job: z.string().min(1, 'needs a job id or name').optional(),
    olderThanDays: z.coerce.number({ error: 'must be a number of days' }).positive('must be a number of days above 0').max(36_500).optional(),
    keepLast: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(0).max(10_000_000).optional(),
  })
  .strict();

const FLAGS: Record<string, 'job' | 'olderThanDays' | 'keepLast'> = { '--job': 'job', '--older-than': 'olderThanDays', '--keep-last': 'keepLast' };

/** Parses `vecron purge`'s arguments; an unknown or malformed one is an error naming it. */
export function parsePurgeArgs(argv: readonly string[]): { ok: true; options: PurgeCommandOptions } | { ok: false; error: string } {
  const raw: Record<string, unknown> = { dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dry-run') raw.dryRun = true;
    else if (FLAGS[arg]) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return { ok: false, error: `${arg} needs a value` };
      raw[FLAGS[arg]] = value;
      i++;
    } else return { ok: false, error: `unknown argument "${arg}" (usage: vecron purge [--dry-run] [--job ID|NAME] [--older-than DAYS] [--keep-last N])` };
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = Object.entries(FLAGS).find(([, key]) => key === issue.path[0])?.[0] ?? String(issue.path[0]);
    return { ok: false, error: `${flag} ${issue.message}` };
  }
  return { ok: true, options: parsed.data };
}
