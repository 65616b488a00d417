import { describe, expect, it } from 'vitest';
import { UsageError, ValueError } from '../../../src/errors.js';
import { Coercions, lossError, parseCoercionRule } from '../../../src/values/coercions.js';
import { allowsAction, LOSS_KIND_NAMES, LOSS_KINDS } from '../../../src/values/loss-kinds.js';

describe('parseCoercionRule', () => {
  it.each([
    ['zero-date=null', { loss: 'zero-date', action: 'null' }],
    [
      'orders.shipped_at:zero-date=substitute',
      { loss: 'zero-date', action: 'substitute', table: 'orders', column: 'shipped_at' },
    ],
    ['out-of-range=widen', { loss: 'out-of-range', action: 'widen' }],
    ['nul-in-text=error', { loss: 'nul-in-text', action: 'error' }],
  ])('%s', (text, rule) => expect(parseCoercionRule(text)).toEqual(rule));

  it.each([
    ['zero-date', /not of the form/],
    ['zero-dates=null', /unknown loss "zero-dates".*zero-date/],
    ['zero-date=widen', /unsupported action "widen".*error, null, substitute/],
    ['special-float=delete', /unsupported action "delete"/],
  ])('rejects %s with a usage error naming the choices', (text, message) => {
    expect(() => parseCoercionRule(text)).toThrow(UsageError);
    expect(() => parseCoercionRule(text)).toThrow(message);
  });
});

describe('Coercions', () => {
  it('defaults to error, lets a column rule win over a general one, and counts per column', () => {
    const coercions = new Coercions([
      parseCoercionRule('zero-date=null'),
      parseCoercionRule('orders.shipped:zero-date=substitute'),
    ]);
    expect(coercions.action('nul-in-text', 'orders', 'note')).toBe('error');
    expect(coercions.action('zero-date', 'orders', 'placed')).toBe('null');
    expect(coercions.action('zero-date', 'orders', 'shipped')).toBe('substitute');
    coercions.applied('zero-date', 'orders', 'placed', 'null');
    coercions.applied('zero-date', 'orders', 'placed', 'null', 2);
    coercions.applied('zero-date', 'orders', 'shipped', 'substitute');
    expect(coercions.counts()).toEqual([
      { table: 'orders', column: 'placed', loss: 'zero-date', action: 'null', values: 3 },
      { table: 'orders', column: 'shipped', loss: 'zero-date', action: 'substitute', values: 1 },
    ]);
  });
});

describe('lossError', () => {
  it('names table, column, key, what the value is and the policies, never a value', () => {
    const error = lossError({
      loss: 'zero-date',
      table: 'orders',
      column: 'shipped',
      key: 'id=7',
      target: 'PostgreSQL date',
    });
    expect(error).toBeInstanceOf(ValueError);
    expect(error.code).toBe('LOSSY_ZERO_DATE');
    expect(error.message).toContain('table orders, column shipped, key id=7');
    expect(error.message).toContain('PostgreSQL date');
    expect(error.message).toContain('--coerce zero-date=null|substitute');
    expect(error.message).toContain('--coerce orders.shipped:zero-date=');
  });

  it('has a description and at least one way out for every loss kind', () => {
    for (const name of LOSS_KIND_NAMES) {
      expect(LOSS_KINDS[name].what.length).toBeGreaterThan(10);
      expect(Object.keys(LOSS_KINDS[name].actions).length).toBeGreaterThan(0);
      expect(allowsAction(name, 'error')).toBe(true);
    }
  });
});
