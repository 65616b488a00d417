/**
 * Which torture tables fail with which loss, per ordered engine pair (source → target). A table
 * not listed must arrive value for value. Changing a mapping changes this table — on purpose.
 */
import type { LossKind } from '../../src/values/loss-kinds.js';

type Engine = 'sqlite' | 'postgres' | 'mysql';

export const EXPECTED_LOSSES: Record<Engine, Record<Engine, Record<string, LossKind>>> = {
  sqlite: {
    // Another SQLite file keeps any storage class in any column: nothing is lost.
    sqlite: {},
    postgres: {
      t_nul_text: 'nul-in-text',
      t_zero_dates: 'zero-date',
      t_time_range: 'time-range',
      t_storage_mix: 'storage-class',
      t_untyped: 'no-target-type',
      t_invalid_utf8: 'invalid-text',
    },
    mysql: {
      t_decimal_unbounded: 'out-of-range',
      t_special_floats: 'special-float',
      t_storage_mix: 'storage-class',
      t_untyped: 'no-target-type',
      t_invalid_utf8: 'invalid-text',
    },
  },
  postgres: {
    sqlite: { t_infinity: 'infinite-date', t_pg_types: 'no-target-type', t_special_floats: 'special-float' },
    postgres: {},
    mysql: {
      t_infinity: 'infinite-date',
      t_numeric_special: 'special-float',
      t_special_floats: 'special-float',
      t_pg_types: 'no-target-type',
      t_timestamptz_wide: 'out-of-range',
    },
  },
  mysql: {
    sqlite: { t_geometry: 'no-target-type' },
    postgres: {
      t_geometry: 'no-target-type',
      t_nul_text: 'nul-in-text',
      t_time_range: 'time-range',
      t_zero_dates: 'zero-date',
    },
    mysql: {},
  },
};
