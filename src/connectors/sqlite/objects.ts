/**
 * Recreates views and triggers from a SQLite source, verbatim. Views go first, retried in rounds
 * because one may read another created later; triggers after them (one may be on a view).
 */
import { DatabaseError, messageOf } from '../../errors.js';
import type { SchemaObject } from '../../schema/table.js';
import { execSqlite, type SqliteDatabase } from './session.js';

/** Creates the views and triggers; throws DatabaseError naming an object that cannot be created. */
export function createSqliteObjects(db: SqliteDatabase, objects: SchemaObject[]): void {
  const unsupported = objects.find((object) => object.kind !== 'view' && object.kind !== 'trigger');
  if (unsupported) {
    throw new DatabaseError(
      'SQLITE_OBJECT_UNSUPPORTED',
      `SQLite has no ${unsupported.kind}s: "${unsupported.name}" cannot be created.`,
    );
  }
  let pending = objects.filter((object) => object.kind === 'view');
  while (pending.length > 0) {
    const failed: Array<{ object: SchemaObject; error: unknown }> = [];
    for (const object of pending) {
      try {
        db.exec(object.definition);
      } catch (error) {
        failed.push({ object, error });
      }
    }
    if (failed.length === pending.length) {
      const { object, error } = failed[0]!;
      throw new DatabaseError(
        'SQLITE_DDL_FAILED',
        `Creating view "${object.name}" failed: ${messageOf(error)}`,
        {
          cause: error,
        },
      );
    }
    pending = failed.map((entry) => entry.object);
  }
  for (const trigger of objects.filter((object) => object.kind === 'trigger')) {
    execSqlite(
      db,
      `Creating trigger "${trigger.name}"${trigger.table ? ` on "${trigger.table}"` : ''}`,
      trigger.definition,
    );
  }
}
