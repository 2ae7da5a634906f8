import { randomBytes } from 'node:crypto';
import { testServers } from '@vecron/test-servers';
import mysql from 'mysql2/promise';

/** URL of the run's MariaDB server (root without password on loopback). */
export const MYSQL_URL = testServers().mariadb;

/** Creates a database `vecron_dbexec_<random>` for one test file; `drop()` removes it. */
export async function createMysqlTestDatabase(): Promise<{ name: string; url: string; conn: mysql.Connection; drop(): Promise<void> }> {
  const name = `vecron_dbexec_${randomBytes(5).toString('hex')}`;
  const conn = await mysql.createConnection({ uri: MYSQL_URL, multipleStatements: false });
  await conn.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await conn.query(`USE ${name}`);
  const u = new URL(MYSQL_URL);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    conn,
    async drop() {
      await conn.query(`DROP DATABASE IF EXISTS ${name}`);
      await conn.end();
    },
  };
}
