import { describe, expect, it } from 'vitest';
import type { Dialect } from '../../../../src/connectors/dialect.js';
import {
  decodeBit,
  decodeFloat,
  encodeDecimal,
  encodeFixedString,
  encodeFloat,
} from '../../../../src/connectors/mysql/codecs.js';
import { nextAutoIncrement } from '../../../../src/connectors/mysql/ddl.js';
import { literalDefault, translateDefault } from '../../../../src/connectors/mysql/ddl-columns.js';
import {
  logicalTypeOf,
  MYSQL_TYPE_SYSTEM,
  type MysqlColumnFacts,
} from '../../../../src/connectors/mysql/types.js';
import type { LogicalType } from '../../../../src/schema/logical-type.js';
import type { TypeMapping } from '../../../../src/schema/type-system.js';
import { Coercions, parseCoercionRule } from '../../../../src/values/coercions.js';

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

describe('cross-dialect mapping (MYSQL_TYPE_SYSTEM.mapFrom)', () => {
  const BIN = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
  const map = (
    type: LogicalType,
    sourceDialect: Dialect = 'postgres',
    inKey = false,
    coercions?: Coercions,
  ) => MYSQL_TYPE_SYSTEM.mapFrom(type, { sourceDialect, table: 't', column: 'c', inKey, coercions });
  const lossesOf = (mapping: TypeMapping) => mapping.losses.map((loss) => loss.loss);

  it.each([
    [{ kind: 'integer', bits: 64, unsigned: true } as const, false, 'bigint unsigned', []],
    [{ kind: 'integer', bits: 16, unsigned: false } as const, false, 'smallint', []],
    [{ kind: 'boolean' } as const, false, 'tinyint(1)', []],
    [{ kind: 'decimal' } as const, false, 'decimal(65,30)', ['out-of-range', 'precision', 'special-float']],
    [{ kind: 'decimal', precision: 10, scale: 2 } as const, false, 'decimal(10,2)', ['special-float']],
    [
      { kind: 'decimal', precision: 80, scale: 40 } as const,
      false,
      'decimal(65,30)',
      ['out-of-range', 'precision', 'special-float'],
    ],
    [{ kind: 'decimal', precision: 3, scale: -2 } as const, false, 'decimal(5,0)', ['special-float']],
    [{ kind: 'float', bits: 32 } as const, false, 'float', ['special-float']],
    [{ kind: 'text', length: 10, fixed: true } as const, false, `varchar(10) ${BIN}`, []],
    [{ kind: 'text' } as const, false, `longtext ${BIN}`, []],
    [{ kind: 'text' } as const, true, `varchar(768) ${BIN}`, ['too-long']],
    [{ kind: 'binary' } as const, true, 'varbinary(3072)', ['too-long']],
    [{ kind: 'date' } as const, false, 'date', ['infinite-date']],
    [{ kind: 'datetime', fsp: 3 } as const, false, 'datetime(3)', ['infinite-date']],
    [{ kind: 'timestamptz', fsp: 6 } as const, false, 'timestamp(6)', ['out-of-range', 'infinite-date']],
    [{ kind: 'time' } as const, false, 'time(6)', []],
    [{ kind: 'json', binary: true } as const, false, 'json', []],
    [{ kind: 'uuid' } as const, false, 'uuid', []],
    [{ kind: 'bit', length: 12 } as const, false, 'bit(12)', []],
    [
      { kind: 'bit', length: 12, varying: true } as const,
      false,
      'varchar(12) CHARACTER SET ascii COLLATE ascii_bin',
      [],
    ],
    [{ kind: 'other', name: 'inet' } as const, false, `longtext ${BIN}`, ['no-target-type']],
  ])('from PostgreSQL: %o (keyed %s) → %s, losses %o', (type, keyed, native, losses) => {
    const mapping = map(type, 'postgres', keyed);
    expect(mapping.native).toBe(native);
    expect(lossesOf(mapping)).toEqual(losses);
    for (const loss of mapping.losses) expect(loss.detail.length).toBeGreaterThan(5);
  });

  it('lists the source quirks of SQLite: unenforced lengths, no infinity', () => {
    expect(lossesOf(map({ kind: 'text', length: 20 }, 'sqlite'))).toEqual(['too-long']);
    expect(lossesOf(map({ kind: 'text', length: 20 }, 'postgres'))).toEqual([]);
    expect(lossesOf(map({ kind: 'date' }, 'sqlite'))).toEqual([]);
    expect(lossesOf(map({ kind: 'decimal', precision: 10, scale: 2 }, 'sqlite'))).toEqual([]);
    expect(map({ kind: 'other', name: '' }, 'sqlite').losses).toEqual([
      { loss: 'no-target-type', detail: 'SQLite values of a column with no declared type' },
    ]);
  });

  it('returns the wider type when the policy widens one of the losses', () => {
    const widen = (rule: string) => new Coercions([parseCoercionRule(rule)]);
    expect(map({ kind: 'timestamptz', fsp: 3 }, 'postgres', false, widen('out-of-range=widen')).native).toBe(
      'datetime(3)',
    );
    expect(map({ kind: 'text', length: 20 }, 'sqlite', false, widen('t.c:too-long=widen')).native).toBe(
      `longtext ${BIN}`,
    );
    expect(map({ kind: 'text', length: 20 }, 'sqlite', false, widen('x.c:too-long=widen')).native).toBe(
      `varchar(20) ${BIN}`,
    );
    expect(map({ kind: 'decimal' }, 'postgres', false, widen('precision=widen')).native).toBe(
      'longtext CHARACTER SET ascii COLLATE ascii_bin',
    );
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
