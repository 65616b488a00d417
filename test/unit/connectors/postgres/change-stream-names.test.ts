import { describe, expect, it } from 'vitest';
import { changeStreamNames } from '../../../../src/connectors/postgres/change-stream-names.js';
import { UsageError } from '../../../../src/errors.js';

const SLOT = /^[a-z0-9_]{1,63}$/;

describe('postgres change stream names', () => {
  it('keeps a plain name as ferry_<name>, for slot and publication', () => {
    expect(changeStreamNames('shop_sync')).toEqual({
      slot: 'ferry_shop_sync',
      publication: 'ferry_shop_sync',
    });
  });

  it.each(['Shop', 'shop-sync', 'naïve plan', 'x'.repeat(80), 'a.b'])(
    'makes %j a valid slot name',
    (name) => {
      const { slot } = changeStreamNames(name);
      expect(slot).toMatch(SLOT);
      expect(Buffer.byteLength(slot)).toBeLessThanOrEqual(63);
      expect(slot.startsWith('ferry_')).toBe(true);
    },
  );

  it('never gives two names that had to change the same slot', () => {
    expect(changeStreamNames('Shop').slot).not.toBe(changeStreamNames('shop').slot);
    expect(changeStreamNames('a-b').slot).not.toBe(changeStreamNames('a_b').slot);
    expect(changeStreamNames(`${'x'.repeat(70)}1`).slot).not.toBe(
      changeStreamNames(`${'x'.repeat(70)}2`).slot,
    );
  });

  it('refuses an empty name', () => {
    expect(() => changeStreamNames('')).toThrow(UsageError);
  });
});
