/**
 * LOAD DATA LOCAL does not fail on bad data: it clamps, cuts, skips duplicates and reports warnings.
 * This turns those warnings (and server messages generally) into errors that name the table, the
 * column and the row, without the values the server quotes.
 */
import { ValueError } from '../../errors.js';
import type { Table } from '../../schema/table.js';
import type { MysqlWarningRow } from './sql.js';

/** Replaces the values a server message quotes (`Duplicate entry 'x'`, `Incorrect … value: 'x'`). */
export function sanitizeServerMessage(message: string): string {
  return message
    .replace(/Duplicate entry '.*' for key/s, 'Duplicate entry for key')
    .replace(/Incorrect (.+?) value: '.*?' for column/s, 'Incorrect $1 value for column')
    .replace(/Truncated incorrect (.+?) value: '.*'/s, 'Truncated incorrect $1 value')
    .replace(/value: '.*?'/gs, 'value');
}

/** Where a warning points: a column (or key columns) and a row number of the loaded file. */
export interface WarningPlace {
  columns: string[];
  row?: number;
}

function unquote(name: string, quote: string): string {
  return name.split(quote + quote).join(quote);
}

function stripTablePrefix(name: string, table: Table): string {
  return name.startsWith(`${table.name}.`) ? name.slice(table.name.length + 1) : name;
}

/** Reads the column and row out of a warning message, in MariaDB's and MySQL's phrasings. */
export function warningPlace(message: string, table: Table): WarningPlace {
  const qualified = /column `(?:[^`]|``)*`\.`(?:[^`]|``)*`\.`((?:[^`]|``)*)` at row (\d+)/.exec(message);
  if (qualified) return { columns: [unquote(qualified[1]!, '`')], row: Number(qualified[2]) };
  const quoted = /column '((?:[^']|'')*)' at row (\d+)/.exec(message);
  if (quoted) return { columns: [unquote(quoted[1]!, "'")], row: Number(quoted[2]) };
  const backticked = /column `((?:[^`]|``)*)` at row (\d+)/.exec(message);
  if (backticked) return { columns: [unquote(backticked[1]!, '`')], row: Number(backticked[2]) };
  const key = /for key '((?:[^']|'')*)'/.exec(message);
  if (key) {
    const name = stripTablePrefix(unquote(key[1]!, "'"), table);
    if (name === 'PRIMARY') return { columns: table.primaryKey };
    const index = table.indexes.find((candidate) => candidate.name === name);
    return { columns: index ? index.columns.map((column) => column.name) : [name] };
  }
  const check = /CONSTRAINT `((?:[^`]|``)*)` failed/.exec(message);
  if (check) {
    const name = stripTablePrefix(unquote(check[1]!, '`'), table);
    const column = table.columns.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    return { columns: [column ? column.name : name] };
  }
  const row = /\bRow (\d+)\b/.exec(message);
  return { columns: [], row: row ? Number(row[1]) : undefined };
}

/** The warning that explains the failure best: the first real warning or error, else the first note. */
export function mainWarning(warnings: MysqlWarningRow[]): MysqlWarningRow | undefined {
  return warnings.find((warning) => warning.Level !== 'Note') ?? warnings[0];
}

/**
 * The ValueError for a LOAD DATA that produced warnings. `keyOfRow` gives the primary key text of a
 * row number when the writer kept it.
 */
export function loadWarningError(
  table: Table,
  warnings: MysqlWarningRow[],
  warningCount: number,
  keyOfRow: (row: number) => string | undefined,
): ValueError {
  const warning = mainWarning(warnings);
  const text = warning
    ? sanitizeServerMessage(warning.Message)
    : 'the server reported warnings it did not list';
  const place = warning ? warningPlace(warning.Message, table) : { columns: [] };
  const column = place.columns.length > 0 ? place.columns.join(', ') : undefined;
  const key = place.row === undefined ? undefined : keyOfRow(place.row);
  const where = [
    `table "${table.name}"`,
    column ? `column "${column}"` : undefined,
    place.row === undefined ? undefined : `row ${place.row} of this write`,
    key ? `key ${key}` : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  const more = warningCount > 1 ? ` (${warningCount} warnings in all)` : '';
  return new ValueError(
    'VALUE_CHANGED_BY_TARGET',
    `MySQL/MariaDB would not load a value exactly (${where}): ${text}${more}. ` +
      'The write was rolled back; widen the target column or fix the source value.',
    { table: table.name, column },
  );
}
