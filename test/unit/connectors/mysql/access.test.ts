import { describe, expect, it } from 'vitest';
import { grantee, roleGrantees } from '../../../../src/connectors/mysql/access.js';

describe('grantee', () => {
  it('spells CURRENT_USER() as grants do, splitting at the last @', () => {
    expect(grantee('ferry_ro@%')).toBe("'ferry_ro'@'%'");
    expect(grantee('a@b@127.0.0.1')).toBe("'a@b'@'127.0.0.1'");
  });
});

describe('roleGrantees', () => {
  it('reads the current role of MariaDB (a name or NULL) and of MySQL 8 (`r`@`h` items or NONE)', () => {
    expect(roleGrantees(null)).toEqual([]);
    expect(roleGrantees('NONE')).toEqual([]);
    expect(roleGrantees('reader')).toEqual(["'reader'"]);
    expect(roleGrantees('`r1`@`%`,`r2`@`localhost`')).toEqual(["'r1'@'%'", "'r2'@'localhost'"]);
  });
});
