import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createEditorModel } from './editor-model.js';
import { readSchemaForm, renderSchemaForm, shapeOf } from './schema-form.js';
import type { RenderOptions } from './schema-form.js';

const LABELS = { add: 'Add', remove: 'Remove', none: '(none)', required: 'required', listHint: 'one per line', jsonHint: 'JSON' };
const unescape = (s: string): string => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');

/** What a browser would submit for the drawn form (text inputs, checked boxes, selected options, text areas, hidden fields). */
function submit(markup: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of markup.matchAll(/<input ([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /name="([^"]*)"/.exec(attrs)?.[1];
    if (!name) continue;
    if (/type="checkbox"/.test(attrs) && !/ checked/.test(attrs)) continue;
    out[unescape(name)] = unescape(/value="([^"]*)"/.exec(attrs)?.[1] ?? '');
  }
  for (const m of markup.matchAll(/<select [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/select>/g)) {
    out[unescape(m[1]!)] = unescape(/<option value="([^"]*)" selected>/.exec(m[2]!)?.[1] ?? /<option value="([^"]*)"/.exec(m[2]!)?.[1] ?? '');
  }
  for (const m of markup.matchAll(/<textarea [^>]*name="([^"]*)"[^>]*>([\s\S]*?)<\/textarea>/g)) out[unescape(m[1]!)] = unescape(m[2]!);
  return out;
}

const model = createEditorModel([
  { type: 'http', config: z.object({ url: z.string().describe('Address to call'), method: z.enum(['GET', 'POST']).default('GET'), headers: z.record(z.string(), z.string()).optional(), timeout_ms: z.number().int().optional(), verify_tls: z.boolean().default(true) }) },
  { type: 'echo', config: z.object({ message: z.unknown() }) },
]);
const opts: RenderOptions = { labels: LABELS, syncUrl: '/sync', schemaAt: model.schemaAt, structural: model.structural };

describe('schema form', () => {
  it('draws a job and reads back the same definition (union choice, lists, nested objects, executor configs, JSON boxes)', () => {
    const job = {
      name: 'sao-ke', description: 'Daily <import>', enabled: true, tags: ['bank', 'night'],
      schedule: { type: 'cron', expression: '0 0 2 ? * MON-FRI', timezone: 'Asia/Ho_Chi_Minh', calendar: 'vn', calendar_shift: 'following' },
      triggers: { scheduled: true, manual: true },
      steps: [
        { id: 'fetch', type: 'http', config: { url: 'https://bank.example/api', method: 'POST', headers: { 'X-Bank': 'vcb' }, timeout_ms: 5000, verify_tls: false } },
        { id: 'say', type: 'echo', config: { message: { rows: 3 } }, on_failure: 'continue' },
      ],
      max_retries: 2, allow_concurrent: false, misfire_policy: 'skip', variables: { REGION: 'hn' },
    };
    const markup = renderSchemaForm(model.jobSchema, job, opts).value;
    // Executor config fields come from the executor's zod schema: a select for the enum, its description, a checkbox.
    expect(markup).toContain('name="$.steps[0].config.method"');
    expect(markup).toContain('Address to call');
    expect(markup).toContain('name="$.steps[0].config.verify_tls"');
    expect(markup).toContain('<code>name</code><span class="req"');
    expect(markup).toContain('Daily &lt;import&gt;');
    const fields = submit(markup);
    const r = readSchemaForm(model.jobSchema, fields, model);
    expect(r.issues).toEqual([]);
    expect(r.value).toEqual(job);
    expect(r.shape).toBe(fields.shape);
  });

  it('changing the schedule type or a step type changes the shape (the form is redrawn); typing does not', () => {
    const job = { name: 'a', schedule: { type: 'cron', expression: '0 * * * * ?' }, steps: [{ id: 's', type: 'http', config: { url: 'https://x' } }] };
    const fields = submit(renderSchemaForm(model.jobSchema, job, opts).value);
    expect(readSchemaForm(model.jobSchema, { ...fields, '$.schedule.expression': '0 0 * * * ?' }, model).shape).toBe(fields.shape);
    expect(readSchemaForm(model.jobSchema, { ...fields, '$.schedule.type': 'fixed_rate' }, model).shape).not.toBe(fields.shape);
    expect(readSchemaForm(model.jobSchema, { ...fields, '$.steps[0].type': 'echo' }, model).shape).not.toBe(fields.shape);
    const none = readSchemaForm(model.jobSchema, { ...fields, '$.schedule.type': '' }, model);
    expect((none.value as { schedule: unknown }).schedule).toBeNull();
  });

  it('names the field of a bad number or bad JSON', () => {
    const job = { name: 'a', steps: [{ id: 's', type: 'http', config: { url: 'https://x', timeout_ms: 5 } }], variables: { A: 'b' } };
    const fields = submit(renderSchemaForm(model.jobSchema, job, opts).value);
    const r = readSchemaForm(model.jobSchema, { ...fields, '$.steps[0].config.timeout_ms': 'soon', '$.variables': '{ nope' }, model);
    expect(r.issues.map((i) => i.path)).toEqual(['$.steps[0].config.timeout_ms', '$.variables']);
    expect(r.issues[1]!.message).toMatch(/not valid JSON/);
  });

  it('shows messages at their field and marks it invalid', () => {
    const markup = renderSchemaForm(model.jobSchema, { name: '', steps: [] }, { ...opts, issues: new Map([['$.name', ['is required']]]) }).value;
    expect(markup).toMatch(/<input type="text" id="f\$\.name" name="\$\.name" value="" aria-required="true" aria-invalid="true" aria-describedby="f\$\.name-err">/);
    expect(markup).toContain('<p class="field-error" id="f$.name-err">is required</p>');
  });

  it('adds and removes list items; a third-party executor without a describable schema gets a JSON box', () => {
    const added = model.applyOp({ name: 'a', steps: [{ id: 'one', type: 'http', config: {} }] }, 'add:$.steps') as { steps: Array<{ id: string }> };
    expect(added.steps.map((s) => s.id)).toEqual(['one', 'step2']);
    const removed = model.applyOp(added, 'remove:$.steps[0]') as { steps: Array<{ id: string }> };
    expect(removed.steps.map((s) => s.id)).toEqual(['step2']);
    expect(shapeOf({}).kind).toBe('json');
    expect(shapeOf({ anyOf: [{ type: 'string' }, { type: 'number' }] }).kind).toBe('json');
    expect(shapeOf({ type: 'array', items: { type: 'string' } }).kind).toBe('list');
  });
});
