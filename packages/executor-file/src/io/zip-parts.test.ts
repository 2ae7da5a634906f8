import { describe, expect, it } from 'vitest';
import { relationshipsPart, relationshipTarget } from './zip-parts.js';

describe('relationshipTarget', () => {
  it('resolves a target against the folder of the part that owns the relationship', () => {
    expect(relationshipTarget('xl/workbook.xml', 'worksheets/sheet2.xml')).toBe('xl/worksheets/sheet2.xml');
    expect(relationshipTarget('xl/workbook.xml', './worksheets/../styles.xml')).toBe('xl/styles.xml');
    expect(relationshipTarget('', 'xl/workbook.xml')).toBe('xl/workbook.xml');
  });

  it('takes an absolute target from the package root', () => {
    expect(relationshipTarget('xl/workbook.xml', '/xl/worksheets/sheet2.xml')).toBe('xl/worksheets/sheet2.xml');
  });

  it('decodes percent-encoding and never climbs above the root', () => {
    expect(relationshipTarget('xl/workbook.xml', 'worksheets/B%E1%BA%A3ng%201.xml')).toBe('xl/worksheets/Bảng 1.xml');
    expect(relationshipTarget('xl/workbook.xml', 'worksheets/100%.xml')).toBe('xl/worksheets/100%.xml');
    expect(relationshipTarget('xl/workbook.xml', '../../../etc/passwd')).toBe('etc/passwd');
  });
});

describe('relationshipsPart', () => {
  it('names the _rels part beside a part', () => {
    expect(relationshipsPart('xl/workbook.xml')).toBe('xl/_rels/workbook.xml.rels');
    expect(relationshipsPart('workbook.xml')).toBe('_rels/workbook.xml.rels');
  });
});
