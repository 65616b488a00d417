import { describe, expect, it } from 'vitest';
import {
  formatLsn,
  lsnKey,
  parseLsn,
  postgresStreamPosition,
} from '../../../../src/connectors/postgres/lsn.js';
import { UsageError } from '../../../../src/errors.js';

describe('postgres LSNs', () => {
  it.each([
    ['0/0', 0n, '00000000/00000000'],
    ['A/1F2C8', 0xa0001f2c8n, '0000000A/0001F2C8'],
    ['16/B374D848', 0x16b374d848n, '00000016/B374D848'],
    ['FFFFFFFF/FFFFFFFF', 0xffffffffffffffffn, 'FFFFFFFF/FFFFFFFF'],
  ])('%s is %s with key %s', (text, value, key) => {
    expect(parseLsn(text)).toBe(value);
    expect(formatLsn(value)).toBe(text);
    expect(lsnKey(value)).toBe(key);
    expect(postgresStreamPosition(value)).toEqual({ key, fields: { lsn: text } });
  });

  it('reads lower-case halves as the server accepts them', () => {
    expect(parseLsn('a/1f2c8')).toBe(0xa0001f2c8n);
  });

  it('orders keys as the LSNs they stand for, where the server text does not', () => {
    const lsns = [0x9ffffffffn, 0xa00000000n, 0x100000000n, 0x1ffn, 0x1000n, 0x10_00000000n];
    const byKey = [...lsns].sort((a, b) => (lsnKey(a) < lsnKey(b) ? -1 : 1));
    expect(byKey).toEqual([...lsns].sort((a, b) => (a < b ? -1 : 1)));
    // The server's own text does not sort: 9/FFFFFFFF > A/0 > 10/0 as strings.
    expect(formatLsn(0x9ffffffffn) > formatLsn(0xa00000000n)).toBe(false);
    expect(formatLsn(0x10_00000000n) < formatLsn(0x9ffffffffn)).toBe(true);
  });

  it.each(['', '0', '0/', 'x/1', '1/2/3', '123456789/0'])('refuses %j', (text) => {
    expect(() => parseLsn(text)).toThrow(UsageError);
  });
});
