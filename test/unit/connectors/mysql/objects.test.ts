import { describe, expect, it } from 'vitest';
import { cleanDefinition, stripDatabase, stripDefiner } from '../../../../src/connectors/mysql/objects.js';

describe('object definitions made replayable', () => {
  it.each([
    ['CREATE DEFINER=`root`@`127.0.0.1` TRIGGER x', 'CREATE TRIGGER x'],
    ["CREATE DEFINER='app'@'%' FUNCTION f()", 'CREATE FUNCTION f()'],
    ['CREATE DEFINER=root@localhost PROCEDURE p()', 'CREATE PROCEDURE p()'],
    ['CREATE DEFINER=CURRENT_USER() EVENT e', 'CREATE EVENT e'],
    ['CREATE DEFINER=`role``x` VIEW v', 'CREATE VIEW v'],
    [
      'CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1',
      'CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1',
    ],
  ])('%s', (definition, cleaned) => {
    expect(stripDefiner(definition)).toBe(cleaned);
  });

  it('removes the source database qualifier, quoted or bare, and nothing else', () => {
    expect(stripDatabase('select `src`.`t`.`a` from `src`.`t` join src.u join other.src_x', 'src')).toBe(
      'select `t`.`a` from `t` join u join other.src_x',
    );
    expect(cleanDefinition('CREATE DEFINER=`r`@`h` VIEW `db`.`v` AS select 1', 'db')).toBe(
      'CREATE VIEW `v` AS select 1',
    );
  });
});
