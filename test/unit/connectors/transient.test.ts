import { describe, expect, it } from 'vitest';
import { isMysqlTransient } from '../../../src/connectors/mysql/transient.js';
import { isPostgresTransient } from '../../../src/connectors/postgres/transient.js';
import { isSqliteTransient } from '../../../src/connectors/sqlite/transient.js';
import { DatabaseError, ValueError } from '../../../src/errors.js';

const driverError = (fields: Record<string, unknown>, message = 'driver failure') =>
  Object.assign(new Error(message), fields);
const wrapped = (cause: unknown) => new DatabaseError('X', 'Loading table "t" failed', { cause });

describe('isMysqlTransient', () => {
  it.each([
    [{ errno: 1213, code: 'ER_LOCK_DEADLOCK' }],
    [{ errno: 1205 }],
    [{ errno: 1927 }],
    [{ code: 'PROTOCOL_CONNECTION_LOST' }],
    [{ code: 'ECONNRESET' }],
  ])('passes %o, also when wrapped', (fields) => {
    expect(isMysqlTransient(driverError(fields))).toBe(true);
    expect(isMysqlTransient(wrapped(driverError(fields)))).toBe(true);
  });

  it.each([[{ errno: 1062 }], [{ errno: 1146 }], [{ code: 'ER_PARSE_ERROR' }], [{}]])(
    'does not pass %o',
    (fields) => {
      expect(isMysqlTransient(wrapped(driverError(fields)))).toBe(false);
    },
  );

  it('does not pass a value error', () => {
    expect(isMysqlTransient(new ValueError('LOSS', 'too long', { table: 't', column: 'c' }))).toBe(false);
  });
});

describe('isPostgresTransient', () => {
  it.each([['40P01'], ['40001'], ['57P01'], ['08006'], ['55P03']])('passes SQLSTATE %s', (code) => {
    expect(isPostgresTransient(wrapped(driverError({ code })))).toBe(true);
  });

  it('passes a socket closed under the driver', () => {
    expect(isPostgresTransient(wrapped(new Error('Connection terminated unexpectedly')))).toBe(true);
  });

  it.each([['23505'], ['22001'], ['42P01']])('does not pass SQLSTATE %s', (code) => {
    expect(isPostgresTransient(wrapped(driverError({ code })))).toBe(false);
  });
});

describe('isSqliteTransient', () => {
  it('passes a busy or locked file', () => {
    expect(isSqliteTransient(wrapped(driverError({ code: 'SQLITE_BUSY' })))).toBe(true);
    expect(isSqliteTransient(driverError({ code: 'SQLITE_LOCKED_SHAREDCACHE' }))).toBe(true);
  });

  it('does not pass a constraint failure', () => {
    expect(isSqliteTransient(wrapped(driverError({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })))).toBe(false);
  });
});
