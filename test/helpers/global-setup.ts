/** Runs once before the test files: checks that the test servers answer, with a helpful message. */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_BASE, PG_BASE } from './servers.js';

export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: `${PG_BASE}/postgres` });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL test server at ${PG_BASE} does not answer; run npm run setup:services`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
  const connection = await mysql.createConnection({ uri: MYSQL_BASE }).catch((error: unknown) => {
    throw new Error(`MariaDB test server at ${MYSQL_BASE} does not answer; run npm run setup:services`, {
      cause: error,
    });
  });
  await connection.end();
}
