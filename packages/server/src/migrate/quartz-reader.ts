/**
 * Reads elements of a parsed Quartz `job-scheduling-data` document (every element parsed as an
 * array) and collects what the conversion changes and what it cannot map, each with its XML path.
 */
import type { ConversionChange, ValidationIssue } from '@vecron/sdk';

/** A parsed XML element. */
export type XmlNode = Record<string, unknown>;

/** One JobDataMap entry and its XML path. */
export interface DataEntry {
  key: string;
  value: string;
  at: string;
}

/** The reading state of one conversion: changes and issues so far. */
export class QuartzReader {
  readonly changes: ConversionChange[] = [];
  readonly issues: ValidationIssue[] = [];

  change(path: string, message: string): void {
    // A job's JobDataMap is read once per trigger: report each change once.
    if (!this.changes.some((c) => c.path === path && c.message === message)) this.changes.push({ path, message });
  }
  fail(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** The elements named `name` under `node` (every element parses as an array). */
  all(node: XmlNode, name: string): XmlNode[] {
    const v = node[name];
    return Array.isArray(v) ? (v as unknown[]).map((x) => (typeof x === 'object' && x !== null ? (x as XmlNode) : { '#text': String(x) })) : [];
  }

  /** The text of the single child `name`, or undefined; more than one is an error. */
  text(node: XmlNode, name: string, at: string, required = false): string | undefined {
    const els = this.all(node, name);
    if (els.length > 1) this.fail(`${at}/${name}`, `appears ${els.length} times; the schema allows one`);
    if (els.length === 0) {
      if (required) this.fail(`${at}/${name}`, 'is required');
      return undefined;
    }
    const t = els[0]!['#text'];
    return t === undefined ? '' : String(t).trim();
  }

  int(node: XmlNode, name: string, at: string, required = false): number | undefined {
    const t = this.text(node, name, at, required);
    if (t === undefined) return undefined;
    if (!/^-?\d+$/.test(t)) {
      this.fail(`${at}/${name}`, `expected a whole number, got "${t}"`);
      return undefined;
    }
    return Number(t);
  }

  instant(node: XmlNode, name: string, at: string): string | undefined {
    const t = this.text(node, name, at);
    if (t === undefined) return undefined;
    // xs:dateTime; Quartz reads one without an offset in the JVM's zone — vecron needs the offset.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(t) || Number.isNaN(Date.parse(t))) {
      this.fail(`${at}/${name}`, `expected an xs:dateTime with an offset (2026-12-01T02:00:00+07:00), got "${t}"; Quartz read one without an offset in the JVM's default zone, so write that zone's offset`);
      return undefined;
    }
    return new Date(Date.parse(t)).toISOString();
  }

  dataMap(node: XmlNode, at: string): DataEntry[] {
    const maps = this.all(node, 'job-data-map');
    if (maps.length > 1) this.fail(`${at}/job-data-map`, `appears ${maps.length} times; the schema allows one`);
    if (!maps.length) return [];
    return this.all(maps[0]!, 'entry').map((e, i) => {
      const p = `${at}/job-data-map/entry[${i + 1}]`;
      return { key: this.text(e, 'key', p, true) ?? '', value: this.text(e, 'value', p, true) ?? '', at: p };
    });
  }
}
