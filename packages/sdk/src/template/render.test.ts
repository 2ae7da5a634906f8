import { describe, expect, it } from 'vitest';
import { TemplateError } from '../errors/errors.js';
import { renderTemplate, toText } from './render.js';
import type { TemplateScope } from './scope.js';

const rows = [
  { id: 17, name: 'An', 'unit price': 1.5 },
  { id: 18, name: 'Bình', 'unit price': 2 },
];

function makeScope(overrides: Partial<TemplateScope> = {}): TemplateScope {
  return {
    variables: { API_URL: 'https://api.example.vn', API_TOKEN: 's3cret', REGION: 'HN', _under_1: 'u' },
    steps: {
      'fetch-orders': { output: { rows, row_count: 2, empty: [], nothing: null, ok: true, nested: { a: { b: [1, [2, 3]] } } } },
      dl_files: { output: { files: [{ path: '/data/a.csv', filename: 'a.csv', size: 10 }] } },
      zero: { output: 0 },
    },
    webhook: {
      payload: { since: '2026-01-01', tags: ['x', 'y'], 'odd key': { v: 1 } },
      headers: { 'x-request-id': 'req-1', 'content-type': 'application/json' },
      query_params: { page: '2', multi: ['a', 'b'] },
    },
    job_id: 'job-1',
    execution_id: 'exec-9',
    execution_date: '2026-03-01T20:30:15.250Z',
    scheduled_for: '2026-03-01T20:30:00.000Z',
    timezone: 'Asia/Ho_Chi_Minh',
    ...overrides,
  };
}

const scope = makeScope();
const render = (value: unknown, s: TemplateScope = scope): unknown => renderTemplate(value, s);

function catchError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return err as TemplateError;
  }
  throw new Error('expected a TemplateError');
}

describe('renderTemplate: variables', () => {
  it('substitutes ${NAME} inside strings', () => {
    expect(render('${API_URL}/orders?region=${REGION}')).toBe('https://api.example.vn/orders?region=HN');
    expect(render('${_under_1}')).toBe('u');
  });

  it('a lone $ and a $ not followed by { stay as they are', () => {
    expect(render('price $5 and $ and $A')).toBe('price $5 and $ and $A');
  });

  it('$${NAME} is a literal ${NAME}', () => {
    expect(render('echo $${HOME} ${REGION}')).toBe('echo ${HOME} HN');
    expect(render('$${HOME}')).toBe('${HOME}');
  });

  it('a missing variable names it, and the JSON path of the template', () => {
    const err = catchError(() => renderTemplate({ config: { headers: { auth: 'Bearer ${API_TOKN}' } } }, scope));
    expect(err.code).toBe('TEMPLATE_UNRESOLVED');
    expect(err.path).toBe('${API_TOKN}');
    expect(err.message).toContain('${API_TOKN} is not defined');
    expect(err.details).toMatchObject({ jsonPath: '$.config.headers.auth', reason: 'missing', variable: 'API_TOKN' });
  });

  it('never reads inherited properties as variables', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(catchError(() => render(`\${${name}}`)).path).toBe(`\${${name}}`);
    }
  });

  it('rejects invalid variable names and an unclosed ${', () => {
    expect(catchError(() => render('${API-URL}')).details).toMatchObject({ reason: 'malformed' });
    expect(catchError(() => render('${1X}')).details).toMatchObject({ reason: 'malformed' });
    expect(catchError(() => render('${ REGION }')).details).toMatchObject({ reason: 'malformed' });
    expect(catchError(() => render('x ${REGION')).message).toContain('unclosed');
  });
});

describe('renderTemplate: references', () => {
  it('reads step outputs with dots, indexes and quoted keys; response is an alias of output', () => {
    expect(render('{{steps.fetch-orders.output.rows[0].id}}')).toBe(17);
    expect(render('{{steps.fetch-orders.response.rows[1].name}}')).toBe('Bình');
    expect(render('{{ steps.fetch-orders.output.rows[0]["unit price"] }}')).toBe(1.5);
    expect(render("{{ steps['fetch-orders'].output.rows[1]['unit price'] }}")).toBe(2);
    expect(render('{{steps.fetch-orders.output.nested.a.b[1][0]}}')).toBe(2);
    expect(render('{{steps.dl_files.output.files[0].path}}')).toBe('/data/a.csv');
    expect(render('{{steps.zero.output}}')).toBe(0);
  });

  it('steps.<id>.finished_at (alias completed_at) is when the step finished; a step without one, or a sub-field, is unresolved', () => {
    const s = makeScope({ steps: { saved: { output: { n: 1 }, finished_at: '2026-03-01T20:31:02.000Z' }, old: { output: 1 } } });
    expect(render('{{steps.saved.finished_at}}', s)).toBe('2026-03-01T20:31:02.000Z');
    expect(render('at {{steps.saved.completed_at}}', s)).toBe('at 2026-03-01T20:31:02.000Z');
    expect(catchError(() => render('{{steps.old.finished_at}}', s)).message).toContain('no finish time');
    expect(catchError(() => render('{{steps.saved.finished_at.x}}', s)).message).toContain('sub-fields');
  });

  it('allows whitespace inside the braces and brackets', () => {
    expect(render('{{   steps.fetch-orders.output.rows[ 0 ].id\n}}')).toBe(17);
  });

  it('a digit-only dotted segment indexes an array', () => {
    expect(render('{{steps.fetch-orders.output.rows.1.id}}')).toBe(18);
  });

  it('a string that is exactly one reference keeps its JSON type', () => {
    expect(render('{{steps.fetch-orders.output.rows}}')).toBe(rows);
    expect(render('{{steps.fetch-orders.output.row_count}}')).toBe(2);
    expect(render('{{steps.fetch-orders.output.nothing}}')).toBeNull();
    expect(render('{{steps.fetch-orders.output.ok}}')).toBe(true);
    expect(render('{{steps.fetch-orders.output.empty}}')).toEqual([]);
    expect(render('{{steps.fetch-orders.output.nested}}')).toEqual({ a: { b: [1, [2, 3]] } });
  });

  it('inside a longer string values are printed: objects as JSON, null as "null"', () => {
    expect(render('n={{steps.fetch-orders.output.row_count}}')).toBe('n=2');
    expect(render(' {{steps.fetch-orders.output.row_count}}')).toBe(' 2');
    expect(render('{{steps.fetch-orders.output.ok}}!')).toBe('true!');
    expect(render('v={{steps.fetch-orders.output.nothing}}')).toBe('v=null');
    expect(render('rows={{steps.fetch-orders.output.rows}}')).toBe(`rows=${JSON.stringify(rows)}`);
    expect(render('{{job_id}}/{{execution_id}}')).toBe('job-1/exec-9');
  });

  it('reads webhook payload, headers (case-insensitive) and query params', () => {
    expect(render('{{webhook.payload.since}}')).toBe('2026-01-01');
    expect(render('{{webhook.payload.tags[1]}}')).toBe('y');
    expect(render('{{webhook.payload["odd key"].v}}')).toBe(1);
    expect(render('{{webhook.headers.x-request-id}}')).toBe('req-1');
    expect(render('{{webhook.headers.X-Request-ID}}')).toBe('req-1');
    expect(render('{{webhook.query_params.page}}')).toBe('2');
    expect(render('{{webhook.query_params.multi}}')).toEqual(['a', 'b']);
    expect(render('{{webhook.payload}}')).toBe(scope.webhook!.payload);
  });

  it('a webhook reference in a run that was not triggered by a webhook fails clearly', () => {
    const err = catchError(() => render('{{webhook.payload.since}}', makeScope({ webhook: undefined })));
    expect(err.path).toBe('webhook.payload.since');
    expect(err.message).toContain('not triggered by a webhook');
    expect(catchError(() => render('{{webhook.headers.x-missing}}')).message).toContain('no header "x-missing"');
  });

  it('job_id, execution_id, execution_date and scheduled_for', () => {
    expect(render('{{ job_id }}')).toBe('job-1');
    expect(render('{{execution_id}}')).toBe('exec-9');
    expect(render('{{execution_date}}')).toBe('2026-03-01T20:30:15.250Z');
    expect(render('{{scheduled_for}}')).toBe('2026-03-01T20:30:00.000Z');
    expect(render('{{scheduled_for}}', makeScope({ scheduled_for: null }))).toBeNull();
    const epoch = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    expect(render('{{execution_date}}', makeScope({ execution_date: epoch }))).toBe('2026-01-02T03:04:05.006Z');
    expect(render('{{execution_date}}', makeScope({ execution_date: '2026-01-02T10:04:05+07:00' }))).toBe('2026-01-02T03:04:05.000Z');
  });

  it('{{ \'{{\' }} is a literal {{ and a quoted string is itself', () => {
    expect(render("tpl: {{ '{{' }}name}}")).toBe('tpl: {{name}}');
    expect(render('{{ "a \\" b" }}')).toBe('a " b');
  });

  it('a stray }} is literal text', () => {
    expect(render('{"a":{"b":1}}')).toBe('{"a":{"b":1}}');
  });
});

describe('renderTemplate: missing paths', () => {
  it('names the whole path, the part that was missing and the JSON path of the template', () => {
    const err = catchError(() => renderTemplate({ config: { url: 'x/{{steps.fetch-orders.output.rows[3].id}}' } }, scope));
    expect(err.path).toBe('steps.fetch-orders.output.rows[3].id');
    expect(err.message).toContain('steps.fetch-orders.output.rows has 2 items, so there is no [3]');
    expect(err.message).toContain('$.config.url');
    expect(err.details).toMatchObject({ jsonPath: '$.config.url', reason: 'missing', missing: 'steps.fetch-orders.output.rows[3]' });
  });

  it('a missing field', () => {
    const err = catchError(() => render('{{steps.fetch-orders.output.rows[0].price}}'));
    expect(err.path).toBe('steps.fetch-orders.output.rows[0].price');
    expect(err.message).toContain('steps.fetch-orders.output.rows[0] has no field "price"');
  });

  it('a field of null, of a string, of a number', () => {
    expect(catchError(() => render('{{steps.fetch-orders.output.nothing.x}}')).message).toContain('output.nothing is null');
    expect(catchError(() => render('{{steps.fetch-orders.output.rows[0].name.length}}')).message).toContain('is a string');
    expect(catchError(() => render('{{steps.fetch-orders.output.row_count[0]}}')).message).toContain('is a number');
  });

  it('an unknown step lists the steps that have output', () => {
    const err = catchError(() => render('{{steps.fetch.output.rows}}'));
    expect(err.path).toBe('steps.fetch.output.rows');
    expect(err.details).toMatchObject({ missing: 'steps.fetch', stepId: 'fetch', availableSteps: ['fetch-orders', 'dl_files', 'zero'] });
    expect(err.message).toContain('no output of step "fetch"');
  });

  it('never traverses __proto__, constructor or prototype', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const err = catchError(() => render(`{{steps.fetch-orders.output.rows[0].${key}}}`));
      expect(err.message).toContain('reserved name');
      expect(catchError(() => render(`{{steps.${key}.output}}`)).details).toMatchObject({ reason: 'missing' });
    }
    // Even when the data really has such an own key (JSON.parse creates one).
    const polluted = JSON.parse('{"__proto__": {"x": 1}, "constructor": {"prototype": 2}}') as unknown;
    const s = makeScope({ steps: { p: { output: polluted } } });
    expect(catchError(() => render('{{steps.p.output.__proto__.x}}', s)).details).toMatchObject({ reason: 'missing' });
    expect(catchError(() => render('{{steps.p.output["constructor"]}}', s)).details).toMatchObject({ reason: 'missing' });
  });

  it('never reads array length or inherited members', () => {
    expect(catchError(() => render('{{steps.fetch-orders.output.rows.length}}')).details).toMatchObject({ reason: 'missing' });
    expect(catchError(() => render('{{steps.fetch-orders.output.toString}}')).details).toMatchObject({ reason: 'missing' });
  });
});

describe('renderTemplate: filters', () => {
  it('date formats execution_date in the scope timezone', () => {
    // 20:30:15.250Z is 03:30:15.250 the next day in Ho Chi Minh City (UTC+7).
    expect(render("{{ execution_date | date:'yyyyMMdd' }}")).toBe('20260302');
    expect(render("{{ execution_date | date:'yyyy-MM-dd HH:mm:ss.SSS' }}")).toBe('2026-03-02 03:30:15.250');
    expect(render("{{ execution_date | date:'yy/M/d H:m:s' }}")).toBe('26/3/2 3:30:15');
    expect(render("{{ scheduled_for | date:'yyyy-MM-dd HH:mm:ss' }}", makeScope({ timezone: 'UTC' }))).toBe('2026-03-01 20:30:00');
    expect(render("{{ execution_date | date:'HH:mm' }}", makeScope({ timezone: undefined }))).toBe('03:30');
  });

  it('date with an offset: yesterday, last month', () => {
    expect(render("GL_{{ execution_date | date:'yyyyMMdd':'-1d' }}.csv")).toBe('GL_20260301.csv');
    expect(render("{{ execution_date | date:'yyyyMM':'-1M' }}")).toBe('202602');
    expect(render("{{ execution_date | date:'yyyyMMdd':'-1M-1d' }}", makeScope({ execution_date: '2026-03-30T12:00:00Z' }))).toBe('20260227');
  });

  it('date of a webhook value and of an epoch number', () => {
    expect(render("{{ webhook.payload.since | date:'dd/MM/yyyy' }}")).toBe('01/01/2026');
    expect(render("{{ steps.zero.output | date:'yyyy-MM-dd HH:mm' }}", makeScope({ timezone: 'UTC' }))).toBe('1970-01-01 00:00');
  });

  it('date of null or a non-date says so', () => {
    const err = catchError(() => render("{{ scheduled_for | date:'yyyyMMdd' }}", makeScope({ scheduled_for: null })));
    expect(err.details).toMatchObject({ reason: 'invalid_value' });
    expect(err.message).toContain('scheduled_for is null');
    expect(catchError(() => render("{{ steps.fetch-orders.output.rows | date:'yyyy' }}")).message).toContain('an array, not a date');
    expect(catchError(() => render("{{ webhook.query_params.multi[0] | date:'yyyy' }}")).message).toContain('not a date');
  });

  it('an unknown time zone fails as a TemplateError', () => {
    const err = catchError(() => render("{{ execution_date | date:'yyyy' }}", makeScope({ timezone: 'Mars/Olympus' })));
    expect(err.message).toContain('unknown time zone "Mars/Olympus"');
  });

  it('default covers a missing path (right after it) and null', () => {
    const manual = makeScope({ scheduled_for: null, webhook: undefined });
    expect(render("{{ scheduled_for | default:execution_date | date:'yyyyMMdd' }}", manual)).toBe('20260302');
    expect(render("{{ webhook.payload.since | default:'2000-01-01' }}", manual)).toBe('2000-01-01');
    expect(render('{{ steps.fetch-orders.output.rows[9].id | default:-1 }}')).toBe(-1);
    expect(render('{{ steps.fetch-orders.output.rows[9].id | default:null }}')).toBeNull();
    expect(render('{{ steps.fetch-orders.output.rows[9].id | default:true }}')).toBe(true);
    expect(render('{{ steps.fetch-orders.output.row_count | default:5 }}')).toBe(2);
    // default after another filter does not hide a missing path
    expect(catchError(() => render('{{ steps.x.output | json | default:1 }}')).details).toMatchObject({ reason: 'missing' });
    // a missing default argument still fails
    expect(catchError(() => render('{{ steps.x.output | default:steps.y.output }}')).path).toBe('steps.y.output');
  });

  it('json and url_encode', () => {
    expect(render('{{ steps.fetch-orders.output.rows[0] | json }}')).toBe(JSON.stringify(rows[0]));
    expect(render('{{ webhook.payload.since | json }}')).toBe('"2026-01-01"');
    expect(render('q={{ steps.fetch-orders.output.rows[1].name | url_encode }}')).toBe('q=B%C3%ACnh');
    expect(render('q={{ steps.fetch-orders.output.rows[0] | url_encode }}')).toBe(`q=${encodeURIComponent(JSON.stringify(rows[0]))}`);
  });

  it('an unknown filter is named', () => {
    const err = catchError(() => renderTemplate({ a: '{{ job_id | upper }}' }, scope));
    expect(err.details).toMatchObject({ reason: 'malformed', filter: 'upper', jsonPath: '$.a' });
    expect(err.message).toContain('unknown filter "upper"');
  });

  it('bad filter arguments fail at compile time', () => {
    expect(catchError(() => render("{{ execution_date | date:'yyyyMMMdd' }}")).message).toContain('unsupported date token "MMM"');
    expect(catchError(() => render("{{ execution_date | date:'yyyy':'yesterday' }}")).message).toContain('invalid date offset');
    expect(catchError(() => render('{{ execution_date | date }}')).message).toContain('takes 1 to 2 arguments');
    expect(catchError(() => render('{{ execution_date | date:job_id }}')).message).toContain('quoted format');
    expect(catchError(() => render('{{ job_id | json:1 }}')).message).toContain('takes 0 arguments');
    expect(catchError(() => render('{{ job_id | default }}')).message).toContain('takes 1 argument');
  });
});

describe('renderTemplate: malformed templates', () => {
  const cases: Array<[string, string]> = [
    ['{{ steps.a.output', 'unclosed "{{"'],
    ['abc {{', 'unclosed "{{"'],
    ['{{ }}', 'expected a reference'],
    ['{{ foo.bar }}', 'unknown reference "foo"'],
    ['{{ steps.a.rows }}', 'steps.<step-id>.output'],
    ['{{ steps.a }}', 'steps.<step-id>.output'],
    ['{{ webhook.body }}', 'webhook.payload'],
    ['{{ job_id.x }}', '"job_id" has no fields'],
    ['{{ steps.a.output. }}', 'a field name after "."'],
    ['{{ steps.a.output[x] }}', 'an index such as [0]'],
    ['{{ steps.a.output[0 }}', 'expected "]"'],
    ['{{ steps.a.output["k }}', 'unclosed string'],
    ['{{ job_id job_id }}', 'expected "}}"'],
    ['{{ job_id | }}', 'a filter name'],
    ['{{ steps.a.output.x + 1 }}', 'unexpected "+"'],
    ['{{ process.exit() }}', 'unknown reference "process"'],
  ];
  it.each(cases)('%s → %s', (source, fragment) => {
    const err = catchError(() => renderTemplate({ q: source }, scope));
    expect(err.details).toMatchObject({ reason: 'malformed', jsonPath: '$.q' });
    expect(err.message).toContain(fragment);
  });
});

describe('renderTemplate: walking values', () => {
  it('walks objects and arrays; keys are never substituted', () => {
    const input = { '${REGION}': ['${REGION}', 1, null, { deep: '{{job_id}}' }], n: 5, b: false };
    expect(render(input)).toEqual({ '${REGION}': ['HN', 1, null, { deep: 'job-1' }], n: 5, b: false });
  });

  it('returns untouched subtrees by reference and leaves the input unmodified', () => {
    const untouched = { a: [1, 2, { x: 'plain' }] };
    const input = { untouched, changed: { url: '${API_URL}' }, list: ['a', '${REGION}'] };
    const snapshot = structuredClone(input);
    const out = render(input) as typeof input;
    expect(out).not.toBe(input);
    expect(out.untouched).toBe(untouched);
    expect(out.changed).toEqual({ url: 'https://api.example.vn' });
    expect(out.list).toEqual(['a', 'HN']);
    expect(input).toEqual(snapshot);
    const plain = { a: { b: ['c'] } };
    expect(render(plain)).toBe(plain);
  });

  it('keeps a "__proto__" own key as a plain key when the object is rebuilt', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "${REGION}"}, "x": "${REGION}"}') as Record<string, unknown>;
    const out = render(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(out['x']).toBe('HN');
  });

  it('leaves non-plain objects alone', () => {
    const d = new Date(0);
    const buf = Buffer.from('${REGION}');
    expect(render({ d, buf })).toEqual({ d, buf });
  });

  it('skip keeps chosen subtrees verbatim', () => {
    const input = { query: 'select * from t where region = ${REGION}', parameters: ['${REGION}'] };
    const out = renderTemplate(input, scope, { skip: (p) => p === '$.query' });
    expect(out).toEqual({ query: input.query, parameters: ['HN'] });
  });

  it('basePath prefixes the reported JSON path', () => {
    const err = catchError(() => renderTemplate({ url: '${NOPE}' }, scope, { basePath: '$.steps[2].config' }));
    expect(err.details).toMatchObject({ jsonPath: '$.steps[2].config.url' });
    const err2 = catchError(() => renderTemplate({ 'a b': ['${NOPE}'] }, scope));
    expect(err2.details).toMatchObject({ jsonPath: '$["a b"][0]' });
  });
});

describe('toText', () => {
  it('prints values the way longer strings embed them', () => {
    expect(toText('s')).toBe('s');
    expect(toText(-0)).toBe('0');
    expect(toText(1e21)).toBe('1e+21');
    expect(toText(null)).toBe('null');
    expect(toText(10n)).toBe('10');
    expect(toText(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(toText({ a: [1] })).toBe('{"a":[1]}');
  });
});

describe('renderTemplate: adjacent braces and dollars', () => {
  it('a run of { keeps all but the last two; ${{ is a literal $ before a reference', () => {
    expect(render('{{{job_id}}}')).toBe('{job-1}');
    expect(render('{"id":{{steps.fetch-orders.output.rows[0].id}}}')).toBe('{"id":17}');
    expect(render('Total: ${{steps.fetch-orders.output.row_count}}')).toBe('Total: $2');
    expect(render('$${{job_id}}')).toBe('$$job-1');
  });
});
