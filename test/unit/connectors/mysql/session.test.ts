import { describe, expect, it } from 'vitest';
import { connectionError } from '../../../../src/connectors/mysql/connection-errors.js';
import {
  parseServerVersion,
  poolOptions,
  sslOptions,
} from '../../../../src/connectors/mysql/connection-options.js';
import { parseConnectionUrl } from '../../../../src/connectors/url.js';
import { ConnectionError, UsageError } from '../../../../src/errors.js';

describe('mysql session settings from the URL', () => {
  it('keeps values exact: date strings, big numbers as strings, JSON as text, UTC, utf8mb4', () => {
    const options = poolOptions(parseConnectionUrl('mysql://app:pw@db.example:3307/shop?connect_timeout=5'));
    expect(options).toMatchObject({
      host: 'db.example',
      port: 3307,
      user: 'app',
      password: 'pw',
      database: 'shop',
      charset: 'utf8mb4',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      jsonStrings: true,
      timezone: 'Z',
      connectTimeout: 5000,
    });
    expect(options.ssl).toBeUndefined();
  });

  it.each([
    [{ ssl: 'true' }, { rejectUnauthorized: false }],
    [{ sslmode: 'REQUIRED' }, { rejectUnauthorized: false }],
    [{ 'ssl-mode': 'verify_identity' }, { rejectUnauthorized: true, verifyIdentity: true }],
    [{ sslmode: 'VERIFY_CA' }, { rejectUnauthorized: true, verifyIdentity: false }],
    [{ sslmode: 'DISABLED' }, undefined],
    [{ ssl: 'false' }, undefined],
  ])('TLS from %o', (params, expected) => {
    expect(sslOptions(params)).toEqual(expected);
  });

  it('refuses an unknown sslmode', () => {
    expect(() => sslOptions({ sslmode: 'MAYBE' })).toThrow(UsageError);
  });

  it('tells MariaDB from MySQL by VERSION()', () => {
    expect(parseServerVersion('10.11.19-MariaDB-0+deb12u1-log')).toEqual({
      flavor: 'mariadb',
      display: 'MariaDB 10.11.19',
      version: [10, 11, 19],
    });
    expect(parseServerVersion('8.0.36')).toEqual({
      flavor: 'mysql',
      display: 'MySQL 8.0.36',
      version: [8, 0, 36],
    });
  });
});

describe('mysql connection errors', () => {
  const url = parseConnectionUrl('mysql://app:hunter2@10.0.0.9:3999/shop');
  const fail = (fields: Record<string, unknown>) => Object.assign(new Error('driver says hunter2'), fields);

  it.each([
    [{ code: 'ECONNREFUSED' }, 'CONNECTION_FAILED', /10\.0\.0\.9:3999: connection refused/],
    [{ code: 'ETIMEDOUT' }, 'CONNECTION_FAILED', /10\.0\.0\.9:3999: connection timed out/],
    [{ code: 'ER_BAD_DB_ERROR', errno: 1049 }, 'DATABASE_NOT_FOUND', /Database "shop" does not exist/],
    [{ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045 }, 'ACCESS_DENIED', /refused user "app"/],
    [{ code: 'HANDSHAKE_NO_SSL_SUPPORT' }, 'TLS_UNSUPPORTED', /10\.0\.0\.9:3999 does not offer TLS/],
    [{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'TLS_CERTIFICATE_REJECTED', /sslca=/],
  ])('%o', (fields, code, message) => {
    const error = connectionError(fail(fields), url);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('hunter2');
  });
});
