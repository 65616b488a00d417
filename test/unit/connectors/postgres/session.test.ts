import { describe, expect, it } from 'vitest';
import { postgresConnectionError } from '../../../../src/connectors/postgres/connection-errors.js';
import { postgresPoolConfig, postgresSslOption } from '../../../../src/connectors/postgres/session.js';
import { parseConnectionUrl } from '../../../../src/connectors/url.js';
import { UsageError } from '../../../../src/errors.js';

describe('postgres session settings from the URL', () => {
  it('maps libpq sslmode to pg ssl options', () => {
    expect(postgresSslOption({})).toBe(false);
    expect(postgresSslOption({ sslmode: 'disable' })).toBe(false);
    expect(postgresSslOption({ sslmode: 'prefer' })).toBe(false);
    expect(postgresSslOption({ sslmode: 'require' })).toEqual({ rejectUnauthorized: false });
    expect(postgresSslOption({ sslmode: 'verify-full' })).toEqual({ rejectUnauthorized: true });
    const verifyCa = postgresSslOption({ sslmode: 'verify-ca' });
    expect(verifyCa).toMatchObject({ rejectUnauthorized: true });
    expect(typeof (verifyCa as { checkServerIdentity?: unknown }).checkServerIdentity).toBe('function');
    expect(() => postgresSslOption({ sslmode: 'sometimes' })).toThrow(UsageError);
    expect(() => postgresSslOption({ sslmode: 'require', sslrootcert: '/nonexistent/ca.pem' })).toThrow(
      /sslrootcert/,
    );
  });

  it('sets application_name, connect_timeout and credentials', () => {
    const url = parseConnectionUrl('postgres://u:p%40ss@db.example:6543/shop?connect_timeout=2.5&schema=s');
    expect(postgresPoolConfig(url)).toMatchObject({
      host: 'db.example',
      port: 6543,
      user: 'u',
      password: 'p@ss',
      database: 'shop',
      ssl: false,
      application_name: 'ferry',
      connectionTimeoutMillis: 2500,
    });
    const named = parseConnectionUrl('postgres://u@h/db?application_name=nightly');
    expect(postgresPoolConfig(named).application_name).toBe('nightly');
    expect(() => postgresPoolConfig(parseConnectionUrl('postgres://u@h/db?connect_timeout=soon'))).toThrow(
      UsageError,
    );
  });
});

describe('postgres connection errors', () => {
  const url = parseConnectionUrl('postgres://ferry:hunter2@db.example:6543/shop');
  const cases: Array<[unknown, RegExp]> = [
    [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      /db\.example:6543: connection refused/,
    ],
    [new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), /connection refused/],
    [Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }), /does not resolve/],
    [
      Object.assign(new Error('database "shop" does not exist'), { code: '3D000' }),
      /no database "shop"\. Create it/,
    ],
    [
      Object.assign(new Error('password authentication failed for user "ferry"'), { code: '28P01' }),
      /refused user "ferry"/,
    ],
    [new Error('Connection terminated due to connection timeout'), /connect timeout/],
    [
      new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'),
      /asks user "ferry" for a password/,
    ],
  ];
  it.each(cases)('%s', (cause, message) => {
    const error = postgresConnectionError(cause, url);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('hunter2');
  });
});
