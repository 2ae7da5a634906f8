import { describe, expect, it } from 'vitest';
import { TemplateError } from '../errors/errors.js';
import { findTemplateReferences, validateStepReferences } from './references.js';

describe('findTemplateReferences', () => {
  it('lists variables and references in document order with their JSON paths', () => {
    const value = {
      url: '${API_URL}/x/{{ steps.fetch.output.rows[0].id }}',
      body: ['{{webhook.payload.a | default:steps.other.response.b}}', 'plain', 3],
      'odd key': '{{job_id}}',
    };
    expect(findTemplateReferences(value)).toEqual([
      { kind: 'variable', expression: 'API_URL', jsonPath: '$.url', stepIds: [] },
      { kind: 'reference', expression: 'steps.fetch.output.rows[0].id', jsonPath: '$.url', stepIds: ['fetch'] },
      { kind: 'reference', expression: 'webhook.payload.a | default:steps.other.response.b', jsonPath: '$.body[0]', stepIds: ['other'] },
      { kind: 'reference', expression: 'job_id', jsonPath: '$["odd key"]', stepIds: [] },
    ]);
  });

  it('ignores escapes and template-free values', () => {
    expect(findTemplateReferences({ a: '$${X}', b: [1, null, true], c: "{{ '{{' }}" })).toEqual([
      { kind: 'reference', expression: "'{{'", jsonPath: '$.c', stepIds: [] },
    ]);
    expect(findTemplateReferences({ a: 'no templates' })).toEqual([]);
  });

  it('throws a TemplateError with the JSON path for a malformed template', () => {
    try {
      findTemplateReferences({ config: { url: '{{ steps.a.output' } }, { basePath: '$.steps[1]' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).details).toMatchObject({ jsonPath: '$.steps[1].config.url', reason: 'malformed' });
    }
  });
});

describe('validateStepReferences', () => {
  const steps = [
    { id: 'fetch', type: 'http', config: { url: '${API_URL}' } },
    { id: 'transform', type: 'file_processing', config: { data_source: '{{steps.fetch.output.body}}' } },
    {
      id: 'upload',
      type: 'sftp',
      config: {
        url: '{{steps.later.output.x}}',
        local_path: '{{steps.transform.output.files[0].path}}',
        self: '{{steps.upload.output}}',
        nope: ['{{ steps.ghost.response }}'],
        bad: '{{ steps.fetch.output | upper }}',
      },
    },
    { id: 'later', type: 'http', config: {} },
  ];

  it('accepts references to earlier steps and reports the others with their JSON paths', () => {
    const issues = validateStepReferences(steps);
    expect(issues.map((i) => i.path)).toEqual([
      '$.steps[2].config.url',
      '$.steps[2].config.self',
      '$.steps[2].config.nope[0]',
      '$.steps[2].config.bad',
    ]);
    expect(issues[0]!.message).toContain('step "later", which runs after this one ($.steps[3])');
    expect(issues[1]!.message).toContain("this step's own output");
    expect(issues[2]!.message).toContain('unknown step "ghost"; steps before this one: fetch, transform');
    expect(issues[3]!.message).toContain('unknown filter "upper"');
  });

  it('a reference in the first step has no earlier step', () => {
    const issues = validateStepReferences([{ id: 'a', config: { x: '{{steps.b.output}}' } }], { basePath: '$.job.steps' });
    expect(issues).toEqual([{ path: '$.job.steps[0].config.x', message: expect.stringContaining('there are no steps before this one') as unknown as string }]);
  });

  it('returns no issues for a valid job', () => {
    expect(validateStepReferences(steps.slice(0, 2))).toEqual([]);
    expect(validateStepReferences([])).toEqual([]);
  });
});
