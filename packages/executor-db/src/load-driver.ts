import { NonRetryableError } from '@vecron/sdk';

/** The npm package each driver comes from (an optional peer dependency). */
export const DRIVER_PACKAGE = { postgresql: 'pg', mysql: 'mysql2', oracle: 'oracledb' } as const;

/** Imports a module by name; the indirection keeps bundlers and tsc from resolving optional peers. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

const defaultImporter: ModuleImporter = (specifier) => import(specifier);

/**
 * Loads an optional peer dependency on first use. A missing package becomes a permanent error
 * naming what to install, instead of a crash at import time of the whole plugin.
 *
 * @throws NonRetryableError `DB_DRIVER_MISSING`
 */
export async function loadOptionalModule<T>(specifier: string, forWhat: string, importer: ModuleImporter = defaultImporter): Promise<T> {
  let mod: unknown;
  try {
    mod = await importer(specifier);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new NonRetryableError(`${forWhat} needs the "${specifier}" package, which is not installed: run \`npm install ${specifier}\` (or pnpm add / yarn add) in your application`, {
        code: 'DB_DRIVER_MISSING',
        cause: err,
        details: { package: specifier },
      });
    }
    throw err;
  }
  // CommonJS drivers seen through ESM: the API lives on `default`.
  const withDefault = mod as { default?: unknown };
  return (withDefault.default ?? mod) as T;
}

/** A database type whose driver package cannot be loaded. */
export interface MissingDriver {
  databaseType: keyof typeof DRIVER_PACKAGE;
  package: string;
  message: string;
}

/**
 * Which of these database types have no loadable driver package, checked at once (a server
 * calls this at start for its configured connections, so a missing `mysql2` or `oracledb` is a
 * start-up error instead of the first step's failure).
 */
export async function missingDrivers(types: Iterable<keyof typeof DRIVER_PACKAGE>, importer: ModuleImporter = defaultImporter): Promise<MissingDriver[]> {
  const out: MissingDriver[] = [];
  for (const databaseType of new Set(types)) {
    const pkg = DRIVER_PACKAGE[databaseType];
    try {
      await loadOptionalModule(pkg, `${databaseType} connections`, importer);
    } catch (err) {
      out.push({ databaseType, package: pkg, message: (err as Error).message });
    }
  }
  return out;
}
