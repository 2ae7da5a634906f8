#!/usr/bin/env node
/* eslint-disable no-console -- the CLI talks to its terminal */
import { ConfigError, VecronError } from '@vecron/sdk';
import { loadConfig } from './config/load-config.js';
import type { CommandResult } from './cli/commands.js';
import type { ConvertOptions, SourceFormat } from './cli/convert.js';
import type { Role } from './runtime/start-server.js';

// The server, its commands and its logging load on demand: `vecron healthcheck` (the image's
// HEALTHCHECK, run every 10 s with a 5 s timeout) loads only the configuration and one fetch.

const USAGE = `usage: vecron <command> [--config DIR]

  all                    API + scheduler + worker in one process (embedded store when no database_url)
  api | scheduler | worker   one role only
  migrate                apply database migrations and exit
  jobs validate [--from F] FILE…      check job definitions (single, array, or export document)
  jobs import [--from F] FILE…        create or update jobs by name
  jobs convert --from F FILE…         convert job files of another system to vecron definitions:
                                      a JSON array on stdout, every change on stderr
      --from seed                     job files of the seed format (JSON)
      --from quartz [--map MAP.json]  Quartz 2.x job-scheduling-data XML; MAP.json maps each
                                      job class to its steps (unmapped: job produced disabled)
  jobs export FILE       write every job (secrets masked)
  audit verify [--checkpoint FILE]   check the audit log's keyed hash chain (and that it still
                         holds everything a kept checkpoint covered: detects truncation)
  audit checkpoint [FILE]  sign the chain's head (count + hash); keep the file elsewhere
  scheduler-pause [REASON]   pause every scheduler of the cluster (fires are skipped (paused))
  scheduler-resume       lift the pause
  scheduler-status       whether the schedulers are paused
  purge [--dry-run] [--job ID|NAME] [--older-than DAYS] [--keep-last N]
                         delete old finished executions (with step attempts, logs, files) and
                         fire-ledger rows now, by the [retention] rules or the given ones
  secrets reencrypt [--dry-run]   re-encrypt stored secrets with the current encryption key (per-key-id report)
  healthcheck            exit 0 when this host's server answers /health (container HEALTHCHECK)

config: config/default.toml (bundled) → {--config DIR | $VECRON_CONFIG_DIR | ./config}/local.toml → VECRON__SECTION__KEY`;

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  let configDir = process.env.VECRON_CONFIG_DIR;
  const ci = args.indexOf('--config');
  if (ci >= 0) {
    configDir = args[ci + 1];
    args.splice(ci, 2);
  }
  let checkpointFile: string | undefined;
  const cp = args.indexOf('--checkpoint');
  if (cp >= 0) {
    checkpointFile = args[cp + 1];
    args.splice(cp, 2);
  }
  let fromArg: string | undefined;
  const fi = args.indexOf('--from');
  if (fi >= 0) {
    fromArg = args[fi + 1] ?? '';
    args.splice(fi, 2);
  }
  let mapFile: string | undefined;
  const mi = args.indexOf('--map');
  if (mi >= 0) {
    mapFile = args[mi + 1] ?? '';
    args.splice(mi, 2);
  }
  const [cmd, sub, file] = args;
  const files = args.slice(2);
  if (!cmd || cmd === '--help' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const config = loadConfig({ ...(configDir ? { configDir } : {}), env: process.env });
  const print = (r: CommandResult): number => {
    for (const l of r.errorLines ?? []) console.error(l);
    for (const l of r.lines) console.log(l);
    return r.code;
  };
  if (cmd === 'healthcheck') {
    const { healthcheckCommand } = await import('./cli/healthcheck.js');
    return print(await healthcheckCommand(config));
  }
  const { createLogCorrelation, createServerLogger } = await import('./observability/log-correlation.js');
  const logCorrelation = createLogCorrelation();
  const logger = createServerLogger(config, logCorrelation);

  if (cmd === 'all' || cmd === 'api' || cmd === 'scheduler' || cmd === 'worker') {
    const { startServer } = await import('./runtime/start-server.js');
    const server = await startServer({
      config, role: cmd as Role, logger, logCorrelation,
      onInitialAdmin: ({ username, password, generated }) => {
        if (generated) {
          console.error(`\n  vecron: created the first admin user "${username}" with the one-time password:\n\n      ${password}\n\n  It is shown only now. You must change it at first login.\n`);
        } else console.error(`vecron: created the first admin user "${username}" with the configured password; change it at first login.`);
      },
    });
    if (server.apiUrl) console.error(`vecron ${cmd}: API on ${server.apiUrl}${server.metricsUrl ? `, metrics on ${server.metricsUrl}/metrics` : ''}`);
    return new Promise<number>((resolve) => {
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) {
          logger.warn({ sig }, 'second signal: exiting now');
          process.exit(130);
        }
        logger.info({ sig }, 'shutting down gracefully');
        server.stop().then(() => resolve(0), (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          resolve(1);
        });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  }
  const { auditCheckpointCommand, auditVerifyCommand, convertCommand, exportCommand, importCommand, migrateCommand, purgeCommand, reencryptCommand, schedulerPauseCommand, validateCommand } = await import('./cli/commands.js');
  if (cmd === 'purge') {
    const { parsePurgeArgs } = await import('./cli/purge-args.js');
    const parsed = parsePurgeArgs(args.slice(1));
    if (!parsed.ok) {
      console.error(`vecron purge: ${parsed.error}`);
      return 2;
    }
    return print(await purgeCommand(config, logger, parsed.options));
  }
  let from: SourceFormat | undefined;
  if (fromArg !== undefined) {
    const { SOURCE_FORMATS } = await import('./cli/convert.js');
    if (!SOURCE_FORMATS.includes(fromArg as SourceFormat)) {
      console.error(`vecron: --from must be one of ${SOURCE_FORMATS.join(', ')} (got ${fromArg ? `"${fromArg}"` : 'nothing'})`);
      return 2;
    }
    from = fromArg as SourceFormat;
  }
  const options: ConvertOptions = {};
  if (mapFile !== undefined) {
    if (!mapFile || from !== 'quartz') {
      console.error('vecron: --map MAP.json goes with --from quartz');
      return 2;
    }
    const { readClassMap } = await import('./cli/convert.js');
    options.map = readClassMap(mapFile);
  }
  if (cmd === 'secrets' && sub === 'reencrypt') return print(await reencryptCommand(config, logger, args.includes('--dry-run')));
  if (cmd === 'scheduler-pause') return print(await schedulerPauseCommand(config, logger, 'pause', args.slice(1).join(' ') || undefined));
  if (cmd === 'scheduler-resume') return print(await schedulerPauseCommand(config, logger, 'resume'));
  if (cmd === 'scheduler-status') return print(await schedulerPauseCommand(config, logger, 'status'));
  if (cmd === 'migrate') return print(await migrateCommand(config, logger));
  if (cmd === 'jobs' && sub === 'validate' && file) return print(validateCommand(config, files, from, options));
  if (cmd === 'jobs' && sub === 'import' && file) return print(await importCommand(config, logger, files, from, options));
  if (cmd === 'jobs' && sub === 'convert' && file && from) return print(convertCommand(config, files, from, options));
  if (cmd === 'jobs' && sub === 'export' && file) return print(await exportCommand(config, logger, file));
  if (cmd === 'audit' && sub === 'verify') return print(await auditVerifyCommand(config, logger, checkpointFile));
  if (cmd === 'audit' && sub === 'checkpoint') return print(await auditCheckpointCommand(config, logger, file));
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(`vecron: configuration error\n${err.message}`);
    else if (err instanceof VecronError) console.error(`vecron: ${err.code}: ${err.message}`);
    else console.error('vecron: fatal', err);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
