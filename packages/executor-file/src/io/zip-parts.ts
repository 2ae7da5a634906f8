import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

const ignore = (): void => undefined;

/**
 * A zip file (an XLSX package) opened through its central directory: parts are looked up by
 * name and streamed one at a time, in any order, straight from the file — nothing is buffered
 * to disk or memory beyond a stream's chunks, whatever order the writer stored the parts in.
 *
 * Holds one file descriptor, closed by {@link ZipParts.close} / {@link ZipParts.destroy} once
 * every part stream is done. Shaped like a stream (destroy, closed, 'close') so an
 * {@link AbortGuard} can track it.
 */
export class ZipParts extends EventEmitter {
  /** True once the file descriptor is closed. */
  closed = false;
  private destroyed = false;
  private readonly streams = new Set<Readable>();

  private constructor(
    private readonly zip: yauzl.ZipFile,
    /** Entries by lower-cased name: package part names are case-insensitive. */
    private readonly entries: Map<string, yauzl.Entry>,
  ) {
    super();
    const closed = (): void => {
      this.closed = true;
      this.emit('close');
    };
    zip.once('close', closed);
    // Only a failing close(2) of the descriptor lands here after the directory is read; the
    // descriptor is released by the kernel either way, so it counts as closed.
    zip.once('error', closed);
  }

  /**
   * Opens `file` and reads its central directory.
   *
   * @throws Error when the file is not a zip (no end of central directory), or is damaged.
   */
  static async open(file: string): Promise<ZipParts> {
    const zip = await yauzl.openPromise(file, { autoClose: false, validateEntrySizes: true, strictFileNames: false });
    try {
      const entries = new Map<string, yauzl.Entry>();
      for await (const entry of zip.eachEntry()) {
        if (!entry.fileName.endsWith('/')) entries.set(entry.fileName.toLowerCase(), entry);
      }
      return new ZipParts(zip, entries);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  /** True when the package has a part of this name (`xl/workbook.xml`, no leading slash). */
  has(name: string): boolean {
    return this.entries.has(name.toLowerCase());
  }

  /**
   * Streams one part as UTF-8 text (decoded across chunk boundaries). The stream is destroyed by
   * {@link destroy}; a caller that stops reading early destroys it itself.
   */
  async open(name: string): Promise<Readable> {
    const entry = this.entries.get(name.toLowerCase());
    if (!entry) throw new Error(`the package has no part ${name}`);
    if (this.destroyed) throw new Error('the package is closed');
    const stream = await this.zip.openReadStreamPromise(entry);
    if (this.destroyed) {
      stream.on('error', ignore);
      stream.destroy();
      throw new Error('the package is closed');
    }
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    stream.setEncoding('utf8');
    return stream;
  }

  /** Reads one part with `parse` and releases its stream, also when `parse` stops before the end. */
  async read<T>(name: string, parse: (stream: Readable) => Promise<T>): Promise<T> {
    const stream = await this.open(name);
    try {
      return await parse(stream);
    } finally {
      stream.on('error', ignore);
      stream.destroy();
    }
  }

  /** Destroys every open part stream (with `error`, when given) and closes the file once they are gone. */
  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    for (const s of this.streams) {
      s.on('error', ignore);
      s.destroy(error);
    }
    this.zip.close();
    return this;
  }

  /**
   * {@link destroy}, then waits until the file descriptor is closed (at most `maxMs`: the
   * descriptor closes as soon as the last part stream lets go of it, which destroy() forces).
   */
  async close(maxMs = 2_000): Promise<void> {
    this.destroy();
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      timer.unref();
      this.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * The part a relationship points to: `Target` is a URI relative to the folder of the part that
 * owns the relationship (`worksheets/sheet2.xml` from `xl/workbook.xml`), or absolute from the
 * package root (`/xl/worksheets/sheet2.xml`). Returns the part name without a leading slash.
 */
export function relationshipTarget(sourcePart: string, target: string): string {
  let decoded = target;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    // not percent-encoded after all: use it as written
  }
  const joined = decoded.startsWith('/') ? decoded : path.posix.join(path.posix.dirname(`/${sourcePart}`), decoded);
  return path.posix.normalize(joined).replace(/^\/+/, '');
}

/** The relationships part of a part: `xl/workbook.xml` → `xl/_rels/workbook.xml.rels`. */
export function relationshipsPart(part: string): string {
  const dir = path.posix.dirname(part);
  const rels = `_rels/${path.posix.basename(part)}.rels`;
  return dir === '.' ? rels : `${dir}/${rels}`;
}
