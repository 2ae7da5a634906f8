import { describe, expect, it } from 'vitest';
import { connectionHosts } from './connection-hosts.js';

describe('connectionHosts', () => {
  it.each([
    ['postgres://app:pw@db.internal:5432/core', ['db.internal']],
    ['postgresql://a,b:5433/core', ['a', 'b']],
    ['postgres:///core', ['']],
    ['mysql://root@169.254.169.254/x', ['169.254.169.254']],
    ['postgres://u@[::1]:5432/x', ['::1']],
    ['host=10.0.0.5 port=5432 dbname=x', ['10.0.0.5']],
    ['Server=db;User Id=app;Password=x;', ['db']],
    ['db.example.test:1521/ORCL', ['db.example.test']],
    ['//127.0.0.1/XE', ['127.0.0.1']],
    ['(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=10.1.1.1)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=x)))', ['10.1.1.1']],
  ])('%s → %j', (cs, hosts) => {
    expect(connectionHosts(cs)).toEqual(hosts);
  });
});
