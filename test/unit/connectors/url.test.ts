import { describe, expect, it } from 'vitest';
import { databaseIdentity, parseConnectionUrl } from '../../../src/connectors/url.js';
import { UsageError } from '../../../src/errors.js';
import { redact } from '../../../src/secrets.js';

describe('parseConnectionUrl', () => {
  it.each([
    [
      'postgres://u:p@db.example:6543/shop?schema=sales&sslmode=require',
      'postgres',
      'db.example',
      6543,
      'shop',
    ],
    ['postgresql://u@10.0.0.1/shop', 'postgres', '10.0.0.1', 5432, 'shop'],
    ['mysql://root@127.0.0.1/shop', 'mysql', '127.0.0.1', 3306, 'shop'],
    ['mariadb://root:x@[::1]:3307/shop', 'mysql', '::1', 3307, 'shop'],
  ])('parses %s', (raw, dialect, host, port, database) => {
    const url = parseConnectionUrl(raw);
    expect(url).toMatchObject({ dialect, host, port, database });
  });

  it('keeps the query parameters of PostgreSQL URLs', () => {
    const url = parseConnectionUrl('postgres://u@h/db?schema=sales&sslmode=require');
    expect(url.params).toEqual({ schema: 'sales', sslmode: 'require' });
  });

  it.each([
    ['sqlite:data/shop.db', 'data/shop.db'],
    ['sqlite:/var/data/shop.db', '/var/data/shop.db'],
    ['sqlite:///var/data/shop.db', '/var/data/shop.db'],
    ['sqlite://shop.db', 'shop.db'],
    ['sqlite:my%20shop.db', 'my shop.db'],
  ])('reads the SQLite path of %s', (raw, path) => {
    expect(parseConnectionUrl(raw)).toMatchObject({ dialect: 'sqlite', database: path });
  });

  it('decodes percent-encoded passwords and never shows them', () => {
    const url = parseConnectionUrl('postgres://alice:s%40cr%3At@h/db');
    expect(url.password).toBe('s@cr:t');
    expect(url.display).toBe('postgres://alice:***@h/db');
    expect(redact('driver said: password s@cr:t rejected')).not.toContain('s@cr:t');
  });

  it.each([
    ['oracle://h/db', /Unknown URL scheme "oracle:".*postgres, postgresql, mysql, mariadb, sqlite/],
    ['just-a-file.db', /has no scheme/],
    ['postgres://u@h', /names no database/],
    ['postgres://u@h/db?sslmod=require', /Unknown parameter "sslmod"/],
    ['mysql://u@h:99999/db', /malformed|invalid port/],
    ['sqlite:', /names no file/],
  ])('rejects %s with a usage error', (raw, message) => {
    expect(() => parseConnectionUrl(raw)).toThrow(UsageError);
    expect(() => parseConnectionUrl(raw)).toThrow(message);
  });
});

describe('databaseIdentity', () => {
  const same = (a: string, b: string) =>
    databaseIdentity(parseConnectionUrl(a)) === databaseIdentity(parseConnectionUrl(b));

  it('folds scheme aliases, loopback names, default ports and the default schema', () => {
    expect(same('postgres://u@localhost/shop', 'postgresql://v@127.0.0.1:5432/shop?schema=public')).toBe(
      true,
    );
    expect(same('mysql://root@127.0.0.1/shop', 'mariadb://root:x@localhost:3306/shop')).toBe(true);
    expect(same('sqlite:data/shop.db', `sqlite://${process.cwd()}/data/shop.db`)).toBe(true);
  });

  it('tells apart other databases, schemas, ports and hosts', () => {
    expect(same('postgres://u@h/shop', 'postgres://u@h/shop?schema=sales')).toBe(false);
    expect(same('postgres://u@h/shop', 'postgres://u@h/shop2')).toBe(false);
    expect(same('mysql://u@h/shop', 'mysql://u@h:3307/shop')).toBe(false);
    expect(same('mysql://u@a/shop', 'mysql://u@b/shop')).toBe(false);
    expect(same('sqlite:a.db', 'sqlite:b.db')).toBe(false);
  });
});
