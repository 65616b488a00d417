import { describe, expect, it } from 'vitest';
import {
  decodeBit,
  decodeFloat,
  encodeDecimal,
  encodeFixedString,
  encodeFloat,
} from '../../../../src/connectors/mysql/codecs.js';
import { nextAutoIncrement } from '../../../../src/connectors/mysql/ddl.js';
import { literalDefault, translateDefault } from '../../../../src/connectors/mysql/ddl-columns.js';
import { logicalTypeOf, MYSQL_TYPES, type MysqlColumnFacts } from '../../../../src/connectors/mysql/types.js';

const facts = (
  dataType: string,
  columnType: string,
  extra: Partial<MysqlColumnFacts> = {},
): MysqlColumnFacts => ({
  dataType,
  columnType,
  characterMaximumLength: null,
  numericPrecision: null,
  numericScale: null,
  datetimePrecision: null,
  isJson: false,
  ...extra,
});

describe('native → logical types', () => {
  it.each([
    [facts('tinyint', 'tinyint(1)'), { kind: 'integer', bits: 8, unsigned: false }],
    [facts('bigint', 'bigint(20) unsigned'), { kind: 'integer', bits: 64, unsigned: true }],
    [facts('mediumint', 'mediumint(8) unsigned zerofill'), { kind: 'integer', bits: 24, unsigned: true }],
    [facts('year', 'year(4)'), { kind: 'integer', bits: 16, unsigned: false }],
    [
      facts('decimal', 'decimal(40,30)', { numericPrecision: 40, numericScale: 30 }),
      { kind: 'decimal', precision: 40, scale: 30 },
    ],
    [facts('float', 'float'), { kind: 'float', bits: 32 }],
    [facts('double', 'double'), { kind: 'float', bits: 64 }],
    [facts('char', 'char(4)', { characterMaximumLength: 4 }), { kind: 'text', length: 4, fixed: true }],
    [facts('longtext', 'longtext'), { kind: 'text' }],
    [facts('longtext', 'longtext', { isJson: true }), { kind: 'json' }],
    [facts('varbinary', 'varbinary(8)', { characterMaximumLength: 8 }), { kind: 'binary', length: 8 }],
    [facts('timestamp', 'timestamp(6)', { datetimePrecision: 6 }), { kind: 'timestamptz', fsp: 6 }],
    [facts('bit', 'bit(10)', { numericPrecision: 10 }), { kind: 'bit', length: 10 }],
    [facts('enum', "enum('a','b')"), { kind: 'enum', values: ['a', 'b'] }],
    [facts('uuid', 'uuid'), { kind: 'uuid' }],
    [facts('point', 'point'), { kind: 'other', name: 'point' }],
    [facts('inet6', 'inet6'), { kind: 'other', name: 'inet6' }],
  ])('%o', (input, type) => {
    expect(logicalTypeOf(input)).toEqual(type);
  });
});

describe('cross-dialect DDL', () => {
  const target = { flavor: 'mariadb' as const, hasUuidType: true, keyed: false };
  it.each([
    [{ kind: 'integer', bits: 64, unsigned: true } as const, false, 'bigint unsigned'],
    [{ kind: 'boolean' } as const, false, 'tinyint(1)'],
    [{ kind: 'decimal' } as const, false, 'decimal(65,30)'],
    [
      { kind: 'text', length: 10, fixed: true } as const,
      false,
      'char(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
    ],
    [{ kind: 'text' } as const, false, 'longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'],
    [{ kind: 'text' } as const, true, 'varchar(768) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'],
    [{ kind: 'binary' } as const, true, 'varbinary(3072)'],
    [{ kind: 'timestamptz', fsp: 6 } as const, false, 'timestamp(6)'],
    [{ kind: 'time' } as const, false, 'time(6)'],
    [{ kind: 'uuid' } as const, false, 'uuid'],
    [{ kind: 'bit', length: 12 } as const, false, 'bit(12)'],
  ])('%o (keyed %s) → %s', (type, keyed, sql) => {
    const rule = MYSQL_TYPES[type.kind] as unknown as { ddl: (t: unknown, c: unknown) => { sql: string } };
    expect(rule.ddl(type, { ...target, keyed }).sql).toBe(sql);
  });

  it('translates the CURRENT_TIMESTAMP family of defaults and nothing else', () => {
    expect(translateDefault('now()', { kind: 'timestamptz', fsp: 6 })).toBe('current_timestamp(6)');
    expect(translateDefault('CURRENT_TIMESTAMP', { kind: 'datetime', fsp: 0 })).toBe('current_timestamp()');
    expect(translateDefault("datetime('now')", { kind: 'datetime' })).toBe('current_timestamp(6)');
    expect(translateDefault('CURRENT_DATE', { kind: 'date' })).toBe('(curdate())');
    expect(translateDefault("('now'::text)::date", { kind: 'date' })).toBe('(curdate())');
    expect(
      translateDefault("nextval('s'::regclass)", { kind: 'integer', bits: 32, unsigned: false }),
    ).toBeUndefined();
  });

  it('writes literal defaults by type', () => {
    expect(literalDefault('5', { kind: 'integer', bits: 32, unsigned: false }, 'int', 'mariadb')).toBe('5');
    expect(literalDefault('true', { kind: 'boolean' }, 'tinyint(1)', 'mariadb')).toBe('1');
    expect(literalDefault('101', { kind: 'bit', length: 3 }, 'bit(3)', 'mariadb')).toBe("b'101'");
    expect(literalDefault("it's", { kind: 'text' }, 'longtext', 'mysql')).toBe("('it''s')");
  });

  it('positions AUTO_INCREMENT past the source value and the data', () => {
    expect(nextAutoIncrement('10', '20')).toBe(21n);
    expect(nextAutoIncrement('100', 5)).toBe(100n);
    expect(nextAutoIncrement(undefined, null)).toBeUndefined();
    expect(nextAutoIncrement(undefined, '18446744073709551614')).toBe(18446744073709551615n);
  });
});

describe('value codecs', () => {
  it('gives BIT(n) exactly n digits', () => {
    expect(decodeBit(Buffer.from([0x02, 0x01]), 10)).toBe('1000000001');
    expect(decodeBit(Buffer.from([0x01]), 12)).toBe('000000000001');
  });

  it('refuses floats MySQL cannot hold instead of changing them', () => {
    expect(encodeFloat(0.1)).toBe('0.1');
    expect(encodeFloat(-1.5e-300)).toBe('-1.5e-300');
    expect(() => encodeFloat(Number.NaN)).toThrow(/NaN/);
    expect(() => encodeFloat(Number.NEGATIVE_INFINITY)).toThrow(/Infinity/);
    expect(() => encodeFloat(-0)).toThrow(/-0/);
    expect(decodeFloat('4056.666748046875')).toBe(4056.666748046875);
    expect(() => decodeFloat('')).toThrow();
  });

  it('refuses decimals and CHAR values MySQL would change', () => {
    expect(encodeDecimal('-12.50')).toBe('-12.50');
    expect(() => encodeDecimal('NaN')).toThrow(/NaN/);
    expect(() => encodeFixedString('ab  ')).toThrow(/trailing spaces/);
    expect(encodeFixedString(' ab')).toBe(' ab');
  });
});
