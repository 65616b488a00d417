/**
 * Preflight of a MariaDB/MySQL source in sync mode (change data capture): the binlog settings the
 * change stream needs, the replication privileges, and the tables whose rows it can only identify
 * by all their columns. Called by access.ts for `mode: 'sync'`.
 */
import { chunkKeyOf } from '../../schema/table.js';
import type { AccessProblem } from '../connector.js';
import { driverCode } from './connection-errors.js';
import { introspectTables } from './introspect.js';
import type { MysqlConnection, MysqlSession } from './session.js';
import {
  SELECT_BINLOG_COMPRESS,
  SELECT_BINLOG_ROW_METADATA,
  SELECT_CDC_SETTINGS,
  SHOW_BINARY_LOGS,
} from './sql.js';

/** ER_SPECIFIC_ACCESS_DENIED_ERROR, and an unknown system variable (an older server). */
const ERRNO_PRIVILEGE = 1227;
const ERRNO_UNKNOWN_VARIABLE = 1193;

/** Who is checked: the account as grants spell it, its privileges, the server. */
export interface SyncAccount {
  user: string;
  engine: 'MariaDB' | 'MySQL';
  held: Set<string>;
  /** MariaDB 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR. */
  binlogMonitor: string;
}

function upper(value: unknown): string {
  return String(value ?? '').toUpperCase();
}

/** The settings the change stream reads the binlog with; each wrong one with its fix. */
async function settingProblems(connection: MysqlConnection, engine: string): Promise<AccessProblem[]> {
  const [settings] = (await connection.query(SELECT_CDC_SETTINGS))[0] as Array<Record<string, unknown>>;
  let metadata: unknown = 'unknown';
  try {
    const [row] = (await connection.query(SELECT_BINLOG_ROW_METADATA))[0] as Array<Record<string, unknown>>;
    metadata = row?.binlog_row_metadata;
  } catch (error) {
    if (driverCode(error).errno !== ERRNO_UNKNOWN_VARIABLE) throw error;
  }
  let compress: unknown = 0;
  try {
    const [row] = (await connection.query(SELECT_BINLOG_COMPRESS))[0] as Array<Record<string, unknown>>;
    compress = row?.log_bin_compress;
  } catch (error) {
    if (driverCode(error).errno !== ERRNO_UNKNOWN_VARIABLE) throw error; // MySQL has no log_bin_compress
  }
  const problems: AccessProblem[] = [];
  const wrong = (need: string, value: unknown, why: string, fix: string) =>
    problems.push({
      level: 'error',
      subject: 'server',
      need,
      message: `${engine} server has ${need.split('=')[0]}=${String(value)}: ${why}`,
      fix,
    });
  const logBin = upper(settings?.log_bin);
  if (logBin !== '1' && logBin !== 'ON') {
    wrong(
      'log_bin=ON',
      'OFF',
      'the change stream reads the binary log',
      'Add log_bin (and a server_id) under [mysqld] in the server configuration and restart the server.',
    );
  }
  if (upper(settings?.binlog_format) !== 'ROW') {
    wrong(
      'binlog_format=ROW',
      settings?.binlog_format,
      'the change stream reads row events, not statements',
      "SET GLOBAL binlog_format = 'ROW'; (and binlog_format = ROW under [mysqld], to keep it after a restart)",
    );
  }
  if (upper(settings?.binlog_row_image) !== 'FULL') {
    wrong(
      'binlog_row_image=FULL',
      settings?.binlog_row_image,
      'every column of each changed row must be in the binlog to apply it elsewhere',
      "SET GLOBAL binlog_row_image = 'FULL'; (and binlog_row_image = FULL under [mysqld])",
    );
  }
  if (upper(metadata) !== 'FULL') {
    wrong(
      'binlog_row_metadata=FULL',
      metadata,
      'the change stream matches binlog columns to the table by name and needs their signedness, character sets and ENUM/SET labels',
      "SET GLOBAL binlog_row_metadata = 'FULL'; (and binlog_row_metadata = FULL under [mysqld]; MariaDB 10.5+ / MySQL 8.0.1+)",
    );
  }
  if (upper(compress) === '1' || upper(compress) === 'ON') {
    wrong(
      'log_bin_compress=OFF',
      'ON',
      "compressed binlog events cannot be read by Ferry's change stream",
      'SET GLOBAL log_bin_compress = OFF; (and log_bin_compress = OFF under [mysqld])',
    );
  }
  return problems;
}

/** Whether the account may list the binlog files (the stream's start check and backlog). */
async function canListBinlogs(connection: MysqlConnection): Promise<boolean> {
  try {
    await connection.query(SHOW_BINARY_LOGS);
    return true;
  } catch (error) {
    if (driverCode(error).errno === ERRNO_PRIVILEGE) return false;
    // Binlog off (ER_NO_BINARY_LOGGING): the setting check says so.
    return true;
  }
}

/** Sync-mode problems of a source: settings, REPLICATION SLAVE and the binlog monitor privilege, keyless tables. */
export async function syncSourceProblems(
  session: MysqlSession,
  connection: MysqlConnection,
  account: SyncAccount,
  tables: string[],
  binlogPrivilegeReported: boolean,
): Promise<AccessProblem[]> {
  const { user, engine, held } = account;
  const problems = await settingProblems(connection, engine);
  const lack = (need: string, why: string) =>
    problems.push({
      level: 'error',
      subject: 'server',
      need,
      message: `${engine} user ${user} lacks ${need} on *.*: ${why}`,
      fix: `GRANT ${need} ON *.* TO ${user};`,
    });
  if (!held.has('REPLICATION SLAVE') && !held.has('REPLICA')) {
    lack('REPLICATION SLAVE', 'the change stream reads the binlog as a replica does (COM_BINLOG_DUMP)');
  }
  if (!binlogPrivilegeReported && !(await canListBinlogs(connection))) {
    lack(
      account.binlogMonitor,
      'the change stream checks its start file and its backlog with SHOW BINARY LOGS',
    );
  }
  if (tables.length > 0) {
    for (const table of await introspectTables(session, connection, { tables })) {
      if (chunkKeyOf(table)) continue;
      problems.push({
        level: 'warning',
        subject: table.name,
        need: 'PRIMARY KEY',
        message: `Table "${table.name}" has no primary key and no unique key of NOT NULL columns: each update and delete the change stream carries matches the whole row (one of identical rows).`,
        fix: `ALTER TABLE ${table.name} ADD PRIMARY KEY (…); (or a UNIQUE key on NOT NULL columns)`,
      });
    }
  }
  return problems;
}
