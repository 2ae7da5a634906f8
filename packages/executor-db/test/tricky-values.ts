/** Values that break naive SQL building; they must round-trip verbatim and never appear in SQL text. */
export const TRICKY_VALUES = [
  "O'Brien's 'quoted'",
  'say "hi" to "them"',
  'a; DROP TABLE items; SELECT 1',
  'tail -- line comment',
  'mid /* block comment */ end',
  'back\\slash \\\' \\n \\\\ end',
  'Nguyễn Văn Ánh',
  "'); DELETE FROM items; --",
  '$1 ? :1 :name',
];
