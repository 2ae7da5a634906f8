import { describe, expect, it } from 'vitest';
import { fileStepConfigSchema } from './config.js';

const issues = (config: unknown): string => {
  const r = fileStepConfigSchema.safeParse(config);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
};

describe('fileStepConfigSchema', () => {
  it('accepts the documented fields and fills defaults', () => {
    const c = fileStepConfigSchema.parse({ operation: 'read', format: { type: 'csv', delimiter: ';' }, source_path: 'in.csv', options: { encoding: 'UTF-8' } });
    expect(c.options).toMatchObject({ has_header: true, encoding: 'utf8', transformations: [], streaming: false });
    expect(fileStepConfigSchema.parse({ operation: 'read', source_path: 'a.csv' }).options.has_header).toBe(true);
    expect(fileStepConfigSchema.parse({ operation: 'read', source_path: 'a', options: { encoding: 'cp1258' } }).options.encoding).toBe('windows-1258');
  });

  it('names the field of each mistake', () => {
    expect(issues({ operation: 'delete' })).toContain('operation');
    expect(issues({ operation: 'read' })).toContain('source_path');
    expect(issues({ operation: 'write', destination_path: 'x.csv' })).toContain('data_source');
    expect(issues({ operation: 'read', source_path: 'a', options: { encoding: 'ebcdic' } })).toContain('options.encoding');
    expect(issues({ operation: 'read', source_path: 'a', options: { delimeter: ';' } })).toContain('delimeter');
    expect(issues({ operation: 'read', source_path: 'a', options: { transformations: [{ type: 'column_mapping', from: 'a' }] } })).toContain('options.transformations.0.to');
    expect(issues({ operation: 'read', source_path: 'a', options: { transformations: [{ type: 'type_conversion', column: 'a', target_type: 'money' }] } })).toContain('target_type');
    expect(issues({ operation: 'read', source_path: 'a', options: { transformations: [{ type: 'type_conversion', column: 'a', target_type: 'date', format: 'dd/QQ/yyyy' }] } })).toContain('format');
  });

  it('reports a filter syntax error at validation time with its position', () => {
    expect(issues({ operation: 'read', source_path: 'a', options: { transformations: [{ type: 'filter', condition: 'a = = 1' }] } })).toMatch(/options\.transformations\.0\.condition: filter condition: .*position 5/);
  });

  it('accepts the mapping form of column_mapping and data_source as a read output', () => {
    expect(fileStepConfigSchema.safeParse({ operation: 'read', source_path: 'a', options: { transformations: [{ type: 'column_mapping', mapping: { a: 'b' } }] } }).success).toBe(true);
    expect(fileStepConfigSchema.safeParse({ operation: 'write', destination_path: 'b.csv', data_source: { data: [{ a: 1 }], row_count: 1, files: [] } }).success).toBe(true);
  });
});
