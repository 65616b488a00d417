import { describe, expect, it } from 'vitest';
import {
  advanceGtidPosition,
  binlogFileNumber,
  binlogPositionKey,
  binlogStreamPosition,
} from '../../../../src/connectors/mysql/binlog-position.js';
import { UsageError } from '../../../../src/errors.js';

describe('binlogPositionKey', () => {
  it('pads the file number and position so that string order is log order', () => {
    expect(binlogPositionKey('mariadb-bin.000012', 4567)).toBe('0000000012:00000000000000004567');
    const positions: Array<[string, number]> = [
      ['mariadb-bin.000002', 999_999],
      ['mariadb-bin.000010', 4],
      ['mariadb-bin.000010', 10],
      ['mariadb-bin.000010', 3_000_000_000],
      ['mariadb-bin.1000000', 4],
    ];
    const keys = positions.map(([file, position]) => binlogPositionKey(file, position));
    expect([...keys].sort()).toEqual(keys);
  });

  it('refuses a name without a sequence number', () => {
    expect(() => binlogFileNumber('binlog')).toThrow(UsageError);
  });

  it('keeps the snapshot spelling in the fields', () => {
    expect(binlogStreamPosition('b.000001', 120, '0-1-5')).toEqual({
      key: '0000000001:00000000000000000120',
      fields: { file: 'b.000001', position: '120', gtid: '0-1-5' },
    });
    expect(binlogStreamPosition('b.000001', 120).fields).toEqual({ file: 'b.000001', position: '120' });
  });
});

describe('advanceGtidPosition', () => {
  it('replaces the domain of the new GTID and keeps the others, ordered by domain', () => {
    expect(advanceGtidPosition(undefined, '0-1-7')).toBe('0-1-7');
    expect(advanceGtidPosition('0-1-7', '0-1-8')).toBe('0-1-8');
    expect(advanceGtidPosition('0-1-7,2-5-100', '1-3-4')).toBe('0-1-7,1-3-4,2-5-100');
    expect(advanceGtidPosition('0-1-7, 1-3-4', '1-2-9')).toBe('0-1-7,1-2-9');
  });
});
