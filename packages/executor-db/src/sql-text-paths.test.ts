import { describe, expect, it } from 'vitest';
import { isSqlTextPath } from './db-executor.js';

describe('isSqlTextPath (worker leaves SQL text unrendered)', () => {
  it('marks query, statements[n].query and procedure_name, nothing else', () => {
    expect(['$.query', '$.procedure_name', '$.statements[0].query', '$.statements[12].query'].every(isSqlTextPath)).toBe(true);
    expect(['$.parameters[0]', '$.connection_string', '$.statements[0].parameters[1]', '$.query.x'].some(isSqlTextPath)).toBe(false);
  });
});
