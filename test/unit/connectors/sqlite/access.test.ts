import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../../src/connectors/connector.js';
import { checkSqliteAccess } from '../../../../src/connectors/sqlite/access.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source: AccessRequest = { role: 'source', tables: [], snapshot: true, mode: 'snapshot' };
const target: AccessRequest = { role: 'target', tables: [], snapshot: false, mode: 'snapshot' };

describe('checkSqliteAccess', () => {
  it('wants a source file that exists and can be read', async () => {
    const file = join(dir, 'present.db');
    writeFileSync(file, '');
    expect(await checkSqliteAccess(file, source)).toEqual([]);
    const [missing] = await checkSqliteAccess(join(dir, 'absent.db'), source);
    expect(missing).toMatchObject({ level: 'error', need: 'read' });
  });

  it('wants a target folder that exists and can be written', async () => {
    expect(await checkSqliteAccess(join(dir, 'new.db'), target)).toEqual([]);
    const [problem] = await checkSqliteAccess(join(dir, 'no-such-folder', 'new.db'), target);
    expect(problem).toMatchObject({ level: 'error', need: 'write', subject: join(dir, 'no-such-folder') });
  });

  it('warns when the target file system has less room than the source takes', async () => {
    const problems = await checkSqliteAccess(join(dir, 'new.db'), { ...target, expectedBytes: 2 ** 62 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ level: 'warning', need: 'free space' });
    expect(await checkSqliteAccess(join(dir, 'new.db'), { ...target, expectedBytes: 1 })).toEqual([]);
  });
});
