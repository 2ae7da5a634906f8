import { randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { DbCursor, FieldInfo } from './dialects/dialect.js';
import { toJsonValue } from './json-value.js';

/** One file written by a step, as the next step sees it. */
export interface WrittenFile {
  /** Absolute path inside the execution's file area. */
  path: string;
  filename: string;
  /** Bytes. */
  size: number;
  row_count: number;
}

/**
 * Streams every row of `cursor` into a CSV file at `target`, `fetchSize` rows at a time, honouring
 * backpressure, so memory stays flat however large the result. The file is written under a
 * temporary name and renamed when complete, so a failed or cancelled step leaves no partial file.
 * Cells: `null` → empty, booleans → `true`/`false`, dates → ISO 8601, binary → base64,
 * JSON objects/arrays → JSON text.
 */
export async function writeCursorToCsv(
  cursor: DbCursor,
  target: string,
  options: { fetchSize: number; header: boolean; delimiter: string },
): Promise<{ file: WrittenFile; fields: FieldInfo[] }> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${randomBytes(4).toString('hex')}.part`;
  let rowCount = 0;
  let stringifier: ReturnType<typeof stringify> | undefined;
  let done: Promise<void> | undefined;
  try {
    let batch = await cursor.read(options.fetchSize);
    const fields = cursor.fields();
    stringifier = stringify({
      header: options.header,
      delimiter: options.delimiter,
      columns: fields.map((f) => ({ key: f.name, header: f.name })),
      cast: {
        boolean: (v) => (v ? 'true' : 'false'),
        object: (v) => JSON.stringify(v),
      },
    });
    const out = stringifier;
    done = pipeline(out, createWriteStream(tmp));
    // Surface a write failure (disk full) while we are still producing rows.
    let failed: unknown;
    done.catch((err: unknown) => {
      failed = err;
    });
    while (batch.length > 0) {
      for (const row of batch) {
        const cells: Record<string, unknown> = {};
        for (const f of fields) cells[f.name] = toJsonValue(row[f.name]);
        rowCount++;
        if (!out.write(cells)) await once(out, 'drain');
      }
      if (failed !== undefined) throw failed;
      batch = await cursor.read(options.fetchSize);
    }
    out.end();
    await done;
    const { size } = await fs.stat(tmp);
    await fs.rename(tmp, target);
    return { file: { path: target, filename: path.basename(target), size, row_count: rowCount }, fields };
  } catch (err) {
    stringifier?.destroy();
    await done?.catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
