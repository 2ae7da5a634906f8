/**
 * `vecron jobs convert --from seed|quartz`: reads job files of the systems teams migrate from and
 * turns them into vecron job definitions. Every change is reported on its own line naming the file
 * and the JSON path; a file that cannot be converted is an error naming the file and the path.
 */
import { readFileSync } from 'node:fs';
import { convertSeedJobs, validateJobDefinition, ValidationError, zodIssues } from '@vecron/sdk';
import type { AnyExecutor, ConversionChange } from '@vecron/sdk';
import { convertQuartzXml, quartzClassMapSchema } from '../migrate/quartz-xml.js';
import type { QuartzClassMap } from '../migrate/quartz-xml.js';

/** Formats `convert` reads. */
export const SOURCE_FORMATS = ['seed', 'quartz'] as const;
/** A format `convert`, `validate --from` and `import --from` read. */
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

/** Definitions read from the source files, with what was changed and what failed. */
export interface ConvertedSources {
  /** The converted definitions (JSON), in file order. */
  definitions: Array<{ file: string; at: string; definition: Record<string, unknown> }>;
  /** One line per change: `FILE: $.path: what changed`. */
  changes: string[];
  /** One line per problem: `FILE: $.path: what is wrong`. Empty when everything converted. */
  errors: string[];
}

/** What one converter returns for one file; `at` is the JSON path of each definition in the file. */
interface FileConversion {
  definitions: Array<{ at: string; definition: Record<string, unknown> }>;
  changes: ConversionChange[];
}

/** Options of a conversion. */
export interface ConvertOptions {
  /** Quartz: job class → steps (`--map MAP.json`). */
  map?: QuartzClassMap;
}

/** One converter per source format: the file's text in, definitions out (or a ValidationError naming paths). */
const CONVERTERS: Record<SourceFormat, (text: string, options: ConvertOptions) => FileConversion> = {
  seed: (text) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new ValidationError('seed-format file', [{ path: '$', message: `not JSON: ${(err as Error).message}` }]);
    }
    const r = convertSeedJobs(json);
    return { definitions: r.definitions.map((definition, i) => ({ at: Array.isArray(json) ? `$[${i}]` : '$', definition })), changes: r.changes };
  },
  quartz: (text, options) => convertQuartzXml(text, options.map ? { map: options.map } : {}),
};

/**
 * Reads a `--map MAP.json` file (Quartz job class → steps).
 * @throws ValidationError naming the file and the path of a bad entry.
 */
export function readClassMap(file: string): QuartzClassMap {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(`class map ${file}`, [{ path: '$', message: (err as Error).message }]);
  }
  const r = quartzClassMapSchema.safeParse(json);
  if (!r.success) throw new ValidationError(`class map ${file}`, zodIssues(r.error));
  return r.data;
}

/** Reads and converts `files` of format `from`; never throws for a bad file (its problems are in `errors`). */
export function convertSources(files: readonly string[], from: SourceFormat, options: ConvertOptions = {}): ConvertedSources {
  const out: ConvertedSources = { definitions: [], changes: [], errors: [] };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      out.errors.push(`${file}: $: cannot read the file: ${(err as Error).message}`);
      continue;
    }
    const r = convertText(file, text, from, options);
    out.definitions.push(...r.definitions);
    out.changes.push(...r.changes);
    out.errors.push(...r.errors);
  }
  return out;
}

/**
 * Converts the text of one file (`file` names it in the lines); never throws for bad content (its
 * problems are in `errors`). The dashboard's import page uses it for an uploaded file.
 */
export function convertText(file: string, text: string, from: SourceFormat, options: ConvertOptions = {}): ConvertedSources {
  try {
    const r = CONVERTERS[from](text, options);
    return {
      definitions: r.definitions.map((d) => ({ file, ...d })),
      changes: r.changes.map((c) => `${file}: ${c.path}: ${c.message}`),
      errors: [],
    };
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { definitions: [], changes: [], errors: err.issues.map((i) => `${file}: ${i.path}: ${i.message}`) };
  }
}

/**
 * Converts and validates: the canonical definitions (defaults applied) of every converted item,
 * or the problems of the ones that do not validate, each naming the file, the item and the path.
 */
export function convertAndValidate(
  files: readonly string[],
  from: SourceFormat,
  executors: ReadonlyArray<Pick<AnyExecutor, 'type' | 'config' | 'unrenderedPaths'>>,
  options: ConvertOptions = {},
): { definitions: unknown[]; changes: string[]; errors: string[] } {
  const read = convertSources(files, from, options);
  const definitions: unknown[] = [];
  const errors = [...read.errors];
  for (const { file, at, definition } of read.definitions) {
    const r = validateJobDefinition(definition, { executors });
    if (r.valid) definitions.push(r.definition);
    else errors.push(...r.issues.map((i) => `${file}: ${at}${i.path.slice(1)}: ${i.message} (after conversion)`));
  }
  return { definitions, changes: read.changes, errors };
}
