import { toJsonPath } from '@vecron/sdk';
import type { ValidationIssue } from '@vecron/sdk';
import { html } from './html.js';
import type { SafeHtml } from './html.js';

/**
 * Form controls generated from JSON Schema (as zod 4's `z.toJSONSchema` writes it), and the value
 * read back from the submitted form. Every control is named by its JSON path (`$.steps[0].config.url`),
 * the same path a validation issue names, so an error finds its field. What the generator cannot
 * draw as controls (records, unions of different shapes, `unknown`) is a JSON text area.
 */

/** A JSON Schema node. */
export type JsonSchema = Readonly<Record<string, unknown>>;
/** One step of a path: a property name or an array index. */
export type Seg = string | number;

/** How a schema node is drawn and read back. */
export type FieldShape = (
  | { kind: 'object'; properties: Array<[string, JsonSchema]>; required: ReadonlySet<string> }
  | { kind: 'variant'; key: string; options: Array<{ value: string; schema: JsonSchema }> }
  | { kind: 'enum'; values: Array<string | number> }
  | { kind: 'const'; value: unknown }
  | { kind: 'array'; items: JsonSchema }
  | { kind: 'string' | 'number' | 'integer' | 'boolean' | 'list' | 'json' }
) & { nullable: boolean };

/** The words of the generated form, in the page's language. */
export interface FormLabels {
  add: string;
  remove: string;
  none: string;
  required: string;
  listHint: string;
  jsonHint: string;
}

/**
 * Replaces the schema at a path, e.g. a step's `config` by its executor's config schema. `lookup`
 * reads another value of the document being drawn or read (a step's `type`).
 */
export type SchemaAt = (path: readonly Seg[], schema: JsonSchema, lookup: (path: readonly Seg[]) => unknown) => JsonSchema;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : []);

/** The alternatives of a node, nested `anyOf`/`oneOf` flattened. */
function alternatives(s: JsonSchema): JsonSchema[] {
  const list = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (!Array.isArray(list)) return [s];
  return list.flatMap((x) => alternatives({ ...x, ...(s.description && !x.description ? { description: s.description } : {}) }));
}

/** The discriminator of a union of objects: a property every option fixes with `const`. */
function discriminator(options: JsonSchema[]): string | null {
  const first = options[0]?.properties;
  if (!isObj(first)) return null;
  for (const key of Object.keys(first)) {
    const values = options.map((o) => (isObj(o.properties) && isObj(o.properties[key]) ? (o.properties[key] as JsonSchema).const : undefined));
    if (values.every((v) => typeof v === 'string') && new Set(values).size === values.length) return key;
  }
  return null;
}

/** Classifies a schema node. */
export function shapeOf(schema: JsonSchema): FieldShape {
  const alts = alternatives(schema);
  const isNull = (a: JsonSchema): boolean => typesOf(a).length === 1 && typesOf(a)[0] === 'null';
  const nullable = alts.some((a) => isNull(a) || typesOf(a).includes('null'));
  const rest = alts.filter((a) => !isNull(a));
  if (rest.length > 1) {
    const key = rest.every((a) => typesOf(a).includes('object')) ? discriminator(rest) : null;
    return key ? { kind: 'variant', key, options: rest.map((a) => ({ value: (a.properties as Record<string, JsonSchema>)[key]!.const as string, schema: a })), nullable } : { kind: 'json', nullable };
  }
  const s = rest[0] ?? {};
  if (Array.isArray(s.enum)) return { kind: 'enum', values: s.enum as Array<string | number>, nullable };
  if ('const' in s) return { kind: 'const', value: s.const, nullable };
  const type = typesOf(s).filter((t) => t !== 'null');
  if (type.length !== 1) return { kind: 'json', nullable };
  switch (type[0]) {
    case 'string': case 'number': case 'integer': case 'boolean':
      return { kind: type[0], nullable };
    case 'object': {
      const props = isObj(s.properties) ? Object.entries(s.properties as Record<string, JsonSchema>) : [];
      return props.length ? { kind: 'object', properties: props, required: new Set((s.required as string[] | undefined) ?? []), nullable } : { kind: 'json', nullable };
    }
    case 'array': {
      const items = isObj(s.items) ? (s.items as JsonSchema) : {};
      const it = shapeOf(items);
      if (it.kind === 'string' || it.kind === 'number' || it.kind === 'integer') return { kind: 'list', nullable };
      return it.kind === 'object' || it.kind === 'variant' ? { kind: 'array', items, nullable } : { kind: 'json', nullable };
    }
    default:
      return { kind: 'json', nullable };
  }
}

/** The form field name (and issue path) of a path. */
export const fieldName = (path: readonly Seg[]): string => toJsonPath(path);
const countName = (path: readonly Seg[]): string => `${fieldName(path)}#count`;
const idOf = (path: readonly Seg[]): string => `f${fieldName(path)}`;

const getAt = (root: unknown, path: readonly Seg[]): unknown => {
  let v: unknown = root;
  for (const seg of path) v = isObj(v) || Array.isArray(v) ? (v as Record<Seg, unknown>)[seg] : undefined;
  return v;
};

/** Options of {@link renderSchemaForm}. */
export interface RenderOptions {
  labels: FormLabels;
  /** URL the add/remove buttons post the form to (htmx). */
  syncUrl: string;
  schemaAt?: SchemaAt;
  /** Paths whose change redraws the form (besides union choices and list lengths). */
  structural?: (path: readonly Seg[]) => boolean;
  /** Messages per field name, shown at the field. */
  issues?: ReadonlyMap<string, string[]>;
}

/** What a walk over the schema collects to tell whether the form must be redrawn. */
const sigPart = (path: readonly Seg[], v: unknown): string => `${fieldName(path)}=${String(v)}`;

interface Walk {
  o: RenderOptions;
  root: unknown;
  sig: string[];
}

/**
 * Draws the form of a value: one control per field, nested objects as fieldsets, unions as a
 * choice of their variant, lists of objects with add/remove buttons. Ends with the hidden
 * `shape` field the server compares to decide whether an edit needs a redraw.
 */
export function renderSchemaForm(schema: JsonSchema, value: unknown, o: RenderOptions): SafeHtml {
  const w: Walk = { o, root: value, sig: [] };
  const body = renderNode(w, schema, value, [], true);
  return html`${body}<input type="hidden" name="shape" value="${w.sig.join('|')}">`;
}

const resolved = (w: { o: { schemaAt?: SchemaAt }; root: unknown }, path: readonly Seg[], schema: JsonSchema, lookup: (p: readonly Seg[]) => unknown): JsonSchema =>
  w.o.schemaAt ? w.o.schemaAt(path, schema, lookup) : schema;

function renderNode(w: Walk, raw: JsonSchema, value: unknown, path: readonly Seg[], required: boolean): SafeHtml {
  const schema = resolved(w, path, raw, (p) => getAt(w.root, p));
  const shape = shapeOf(schema);
  const name = fieldName(path);
  const label = path.length ? String(path[path.length - 1]) : '';
  const errors = w.o.issues?.get(name) ?? [];
  const errorHtml = html`${errors.map((m) => html`<p class="field-error" id="${idOf(path)}-err">${m}</p>`)}`;
  const desc = typeof schema.description === 'string' ? html`<p class="hint">${schema.description}</p>` : '';
  const req = required ? html`<span class="req" title="${w.o.labels.required}">*</span>` : '';
  const invalid = errors.length ? html` aria-invalid="true" aria-describedby="${idOf(path)}-err"` : '';
  if (w.o.structural?.(path)) w.sig.push(sigPart(path, value));
  const field = (control: SafeHtml, hint: SafeHtml | string = ''): SafeHtml =>
    html`<div class="field" data-path="${name}"><label for="${idOf(path)}"><code>${label}</code>${req}</label>${control}${desc}${hint}${errorHtml}</div>`;
  switch (shape.kind) {
    case 'object': {
      const v = isObj(value) ? value : {};
      const inner = shape.properties.map(([k, s]) => renderNode(w, s, v[k], [...path, k], shape.required.has(k)));
      return path.length ? html`<fieldset class="group" data-path="${name}"><legend><code>${label}</code>${req}</legend>${desc}${errorHtml}${inner}</fieldset>` : html`${errorHtml}${inner}`;
    }
    case 'variant': {
      const chosen = isObj(value) ? shape.options.find((x) => x.value === value[shape.key]) : undefined;
      w.sig.push(sigPart([...path, shape.key], chosen?.value ?? ''));
      const keyPath = [...path, shape.key];
      const none = shape.nullable || !required ? html`<option value=""${chosen ? '' : html` selected`}>${w.o.labels.none}</option>` : '';
      const select = html`<div class="field" data-path="${fieldName(keyPath)}"><label for="${idOf(keyPath)}"><code>${shape.key}</code>${req}</label><select id="${idOf(keyPath)}" name="${fieldName(keyPath)}">${none}${shape.options.map((x) => html`<option value="${x.value}"${x === chosen ? html` selected` : ''}>${x.value}</option>`)}</select></div>`;
      let inner: SafeHtml | string = '';
      if (chosen) {
        const s = shapeOf(chosen.schema);
        if (s.kind === 'object') inner = html`${s.properties.filter(([k]) => k !== shape.key).map(([k, ps]) => renderNode(w, ps, (value as Record<string, unknown>)[k], [...path, k], s.required.has(k)))}`;
      }
      return html`<fieldset class="group" data-path="${name}"><legend><code>${label}</code>${req}</legend>${desc}${errorHtml}${select}${inner}</fieldset>`;
    }
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      w.sig.push(sigPart(path, `#${items.length}`));
      const op = (vals: string, text: string, testId: string): SafeHtml =>
        html`<button type="button" class="btn btn-plain" hx-post="${w.o.syncUrl}" hx-vals="${JSON.stringify({ op: vals })}" data-testid="${testId}">${text}</button>`;
      return html`<fieldset class="group" data-path="${name}"><legend><code>${label}</code>${req}</legend>${desc}${errorHtml}
<input type="hidden" name="${countName(path)}" value="${items.length}">
${items.map((item, i) => html`<fieldset class="item" data-path="${fieldName([...path, i])}"><legend><code>${label}[${i}]</code></legend>${renderNode(w, shape.items, item, [...path, i], true)}<div class="row">${op(`remove:${fieldName([...path, i])}`, w.o.labels.remove, `remove-${label}-${i}`)}</div></fieldset>`)}
<div class="row">${op(`add:${name}`, w.o.labels.add, `add-${label}`)}</div></fieldset>`;
    }
    case 'enum': {
      const current = value === undefined || value === null ? '' : String(value);
      const blank = !required || current === '' ? html`<option value=""${current === '' ? html` selected` : ''}>${w.o.labels.none}</option>` : '';
      return field(html`<select id="${idOf(path)}" name="${name}"${invalid}>${blank}${shape.values.map((x) => html`<option value="${String(x)}"${String(x) === current ? html` selected` : ''}>${String(x)}</option>`)}</select>`);
    }
    case 'const':
      return html``;
    case 'boolean': {
      const on = value === undefined ? schema.default === true : value === true;
      return html`<div class="field field-check" data-path="${name}"><input type="checkbox" id="${idOf(path)}" name="${name}" value="on"${on ? html` checked` : ''}${invalid}><label for="${idOf(path)}"><code>${label}</code>${req}</label>${desc}${errorHtml}</div>`;
    }
    case 'string':
      return field(html`<input type="text" id="${idOf(path)}" name="${name}" value="${typeof value === 'string' ? value : ''}"${required ? html` aria-required="true"` : ''}${invalid}>`);
    case 'number': case 'integer':
      return field(html`<input type="number" step="${shape.kind === 'integer' ? '1' : 'any'}" id="${idOf(path)}" name="${name}" value="${typeof value === 'number' ? String(value) : ''}"${typeof schema.default === 'number' ? html` placeholder="${String(schema.default)}"` : ''}${required ? html` aria-required="true"` : ''}${invalid}>`);
    case 'list':
      return field(html`<textarea id="${idOf(path)}" name="${name}" rows="2"${invalid}>${Array.isArray(value) ? value.map(String).join('\n') : ''}</textarea>`, html`<p class="hint">${w.o.labels.listHint}</p>`);
    case 'json':
      return field(html`<textarea class="code" id="${idOf(path)}" name="${name}" rows="3" spellcheck="false"${invalid}>${value === undefined ? '' : JSON.stringify(value, null, 2)}</textarea>`, html`<p class="hint">${w.o.labels.jsonHint}</p>`);
  }
}

/** What {@link readSchemaForm} returns: the value, problems of the form itself, and the shape signature. */
export interface FormReading {
  value: unknown;
  /** Text that is not JSON, or not a number, at its field. */
  issues: ValidationIssue[];
  /** Equals the drawn form's `shape` field unless a union choice, a list length or a structural field changed. */
  shape: string;
}

interface ReadWalk {
  o: Pick<RenderOptions, 'schemaAt' | 'structural'>;
  fields: Readonly<Record<string, unknown>>;
  issues: ValidationIssue[];
  sig: string[];
}

const fieldText = (r: ReadWalk, path: readonly Seg[]): string | undefined => {
  const v = r.fields[fieldName(path)];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
};

/** Reads a submitted form (field name → text) back into a value, walking the same schema. */
export function readSchemaForm(schema: JsonSchema, fields: Readonly<Record<string, unknown>>, o: Pick<RenderOptions, 'schemaAt' | 'structural'> = {}): FormReading {
  const r: ReadWalk = { o, fields, issues: [], sig: [] };
  const value = readNode(r, schema, [], true);
  return { value, issues: r.issues, shape: r.sig.join('|') };
}

function readNode(r: ReadWalk, raw: JsonSchema, path: readonly Seg[], required: boolean): unknown {
  const schema = resolved({ o: r.o, root: undefined }, path, raw, (p) => fieldText(r, p));
  const shape = shapeOf(schema);
  const text = fieldText(r, path);
  const structural = r.o.structural?.(path);
  const done = (v: unknown): unknown => {
    if (structural) r.sig.push(sigPart(path, v));
    return v;
  };
  switch (shape.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      let filled = false;
      for (const [k, s] of shape.properties) {
        const v = readNode(r, s, [...path, k], shape.required.has(k));
        if (v === undefined) continue;
        out[k] = v;
        // An optional group left blank is left out (a checkbox at its default fills nothing).
        if (!(typeof v === 'boolean' && v === ((s.default as boolean | undefined) ?? false))) filled = true;
      }
      // An object with a default is always there once parsed: keep it (the JSON view shows what will be saved).
      return required || filled || isObj(schema.default) ? out : undefined;
    }
    case 'variant': {
      const key = fieldText(r, [...path, shape.key]) ?? '';
      const chosen = shape.options.find((x) => x.value === key);
      r.sig.push(sigPart([...path, shape.key], chosen?.value ?? ''));
      if (!chosen) return shape.nullable ? null : undefined;
      const s = shapeOf(chosen.schema);
      const out: Record<string, unknown> = { [shape.key]: chosen.value };
      if (s.kind === 'object') {
        for (const [k, ps] of s.properties) {
          if (k === shape.key) continue;
          const v = readNode(r, ps, [...path, k], s.required.has(k));
          if (v !== undefined) out[k] = v;
        }
      }
      return out;
    }
    case 'array': {
      const n = Math.min(Math.max(0, Math.trunc(Number(r.fields[countName(path)] ?? 0)) || 0), 1000);
      r.sig.push(sigPart(path, `#${n}`));
      return Array.from({ length: n }, (_, i) => readNode(r, shape.items, [...path, i], true));
    }
    case 'enum': {
      if (!text) return done(undefined);
      const match = shape.values.find((x) => String(x) === text);
      return done(match ?? text);
    }
    case 'const':
      return required ? shape.value : undefined;
    case 'boolean':
      return done(text === 'on');
    case 'string':
      return done(text === undefined || (text === '' && !required) ? undefined : text);
    case 'number': case 'integer': {
      if (!text || text.trim() === '') return done(undefined);
      const n = Number(text);
      if (Number.isNaN(n)) {
        r.issues.push({ path: fieldName(path), message: 'must be a number' });
        return done(text);
      }
      return done(n);
    }
    case 'list':
      return done(text === undefined ? undefined : text.split('\n').map((x) => x.trim()).filter(Boolean));
    case 'json': {
      if (!text || text.trim() === '') return done(undefined);
      try {
        return done(JSON.parse(text) as unknown);
      } catch (err) {
        r.issues.push({ path: fieldName(path), message: `is not valid JSON: ${(err as Error).message}` });
        return done(undefined);
      }
    }
  }
}
