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
