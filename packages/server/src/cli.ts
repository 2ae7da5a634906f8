#!/usr/bin/env node
/* eslint-disable no-console -- the CLI talks to its terminal */
import { ConfigError, VecronError } from '@vecron/sdk';
import { loadConfig } from './config/load-config.js';
import type { CommandResult } from './cli/commands.js';
import type { ConvertOptions, SourceFormat } from './cli/convert.js';
import type { Role } from './runtime/start-server.js';
import type { Logger } from 'pino';
import type { ServerConfig as Config } from './config/config-schema.js';
import type { LogCorrelation } from './observability/log-correlation.js';

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
  const configFlag = takeFlag(args, '--config');
  const configDir = configFlag ? configFlag.value : process.env.VECRON_CONFIG_DIR;
  const checkpointFile = takeFlag(args, '--checkpoint')?.value;
  const fromFlag = takeFlag(args, '--from');
  const fromArg = fromFlag ? (fromFlag.value ?? '') : undefined;
  const mapFlag = takeFlag(args, '--map');
  const mapFile = mapFlag ? (mapFlag.value ?? '') : undefined;
  const [cmd] = args;
  if (!cmd || cmd === '--help' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const config = loadConfig({ ...(configDir ? { configDir } : {}), env: process.env });
  if (cmd === 'healthcheck') {
    const { healthcheckCommand } = await import('./cli/healthcheck.js');
    return print(await healthcheckCommand(config));
  }
  const { createLogCorrelation, createServerLogger } = await import('./observability/log-correlation.js');
  const logCorrelation = createLogCorrelation();
  const logger = createServerLogger(config, logCorrelation);
  if (cmd === 'all' || cmd === 'api' || cmd === 'scheduler' || cmd === 'worker') return serveUntilSignal(cmd, config, logger, logCorrelation);
  if (cmd === 'purge') {
    const { purgeCommand } = await import('./cli/commands.js');
    const { parsePurgeArgs } = await import('./cli/purge-args.js');
    const parsed = parsePurgeArgs(args.slice(1));
    if (!parsed.ok) {
      console.error(`vecron purge: ${parsed.error}`);
      return 2;
    }
    return print(await purgeCommand(config, logger, parsed.options));
  }
  const convert = await convertFlags(fromArg, mapFile);
  if (typeof convert === 'number') return convert;
  return runCommand(args, config, logger, checkpointFile, convert.from, convert.options);
}

/** Removes `flag` and the word after it from `args`; undefined when absent, else the word (undefined when missing). */
function takeFlag(args: string[], flag: string): { value: string | undefined } | undefined {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return { value };
}

/** Prints a command's output (errors to stderr) and returns its exit code. */
function print(r: CommandResult): number {
  for (const l of r.errorLines ?? []) console.error(l);
  for (const l of r.lines) console.log(l);
  return r.code;
}

/** `vecron all|api|scheduler|worker`: starts the server and resolves with the exit code once a signal stopped it. */
async function serveUntilSignal(cmd: Role, config: Config, logger: Logger, logCorrelation: LogCorrelation): Promise<number> {
  const { startServer } = await import('./runtime/start-server.js');
  const server = await startServer({
    config, role: cmd, logger, logCorrelation,
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

/** Checks `--from` and `--map`; the exit code 2 (after saying why) when they are wrong. */
async function convertFlags(fromArg: string | undefined, mapFile: string | undefined): Promise<{ from: SourceFormat | undefined; options: ConvertOptions } | number> {
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
  return { from, options };
}

/** The one-shot commands (`args` without the flags); usage and exit code 2 for an unknown one. */
async function runCommand(args: string[], config: Config, logger: Logger, checkpointFile: string | undefined, from: SourceFormat | undefined, options: ConvertOptions): Promise<number> {
  const { auditCheckpointCommand, auditVerifyCommand, convertCommand, exportCommand, importCommand, migrateCommand, reencryptCommand, schedulerPauseCommand, validateCommand } = await import('./cli/commands.js');
  const [cmd, sub, file] = args;
  const files = args.slice(2);
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
