/**
 * Preflight privileges and settings of a MariaDB/MySQL side (Connector.checkAccess). Global and
 * database grants come from information_schema (the account's own rows and its current role's);
 * SELECT on a table and the binlog position are probed with statements that read nothing, so
 * what the server would refuse is exactly what is reported.
 * https://mariadb.com/kb/en/grant/#privilege-levels
 */
import type { AccessProblem, AccessRequest } from '../connector.js';
import { syncSourceProblems } from './access-sync.js';
import { driverCode } from './connection-errors.js';
import { type MysqlConnection, type MysqlSession, statementError } from './session.js';
import { quoteIdentifier, SHOW_BINARY_LOG_STATUS, SHOW_MASTER_STATUS } from './sql.js';

/** The account the server matched, the database of the session and the server's LOAD DATA LOCAL switch. */
export const ACCESS_ACCOUNT =
  'SELECT CURRENT_USER() AS account, DATABASE() AS db, @@GLOBAL.local_infile AS local_infile';

/** The enabled role(s): MariaDB gives a name or NULL, MySQL 8 `` `r`@`%` `` items or NONE. */
export const ACCESS_ROLE = 'SELECT CURRENT_ROLE() AS role';

/** Global privileges of the grantees (?). */
export const ACCESS_GLOBAL_PRIVILEGES =
  'SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN (?)';

/** Privileges of the grantees (?) on the session's database; a grant's name may hold LIKE wildcards. */
export const ACCESS_DATABASE_PRIVILEGES =
  'SELECT PRIVILEGE_TYPE AS privilege FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (?) AND DATABASE() LIKE TABLE_SCHEMA';

/** A row of ACCESS_ACCOUNT. */
interface AccountRow {
  account: string;
  db: string;
  local_infile: number | string;
}

/** Server errors: a table or column privilege refused, a global privilege refused, SQL syntax. */
const ERRNO_TABLE_DENIED = 1142;
const ERRNO_COLUMN_DENIED = 1143;
const ERRNO_PRIVILEGE = 1227;
const ERRNO_SYNTAX = 1064;

/** Why a target needs each database privilege it is checked for. */
const WHY_TARGET: Record<string, string> = {
  CREATE: "tables (and Ferry's progress table) are created there",
  INSERT: 'rows are loaded into its tables',
  ALTER: 'indexes and foreign keys are added after the data with ALTER TABLE',
  INDEX: 'indexes are built after the data',
  REFERENCES: 'foreign keys need it on the tables they reference',
  DROP: 'existing tables are dropped or emptied (TRUNCATE TABLE needs DROP) first',
};

/** `user@host` (CURRENT_USER()) as grants spell it: `'user'@'host'`. */
export function grantee(account: string): string {
  const at = account.lastIndexOf('@');
  return at < 0 ? `'${account}'` : `'${account.slice(0, at)}'@'${account.slice(at + 1)}'`;
}

/** The grantee spellings of the enabled roles, from CURRENT_ROLE() of either flavor. */
export function roleGrantees(role: string | null | undefined): string[] {
  if (!role || role === 'NONE') return [];
  return role.split(',').map((item) => {
    const name = item.trim();
    return name.includes('`') ? name.replaceAll('`', "'") : `'${name}'`;
  });
}

/** See Connector.checkAccess. */
export async function checkMysqlAccess(
  session: MysqlSession,
  request: AccessRequest,
): Promise<AccessProblem[]> {
  const { flavor, version } = session.server;
  const engine = flavor === 'mariadb' ? 'MariaDB' : 'MySQL';
  return session.use(async (connection) => {
    const [account] = await session.run<AccountRow>(connection, 'Reading the account', ACCESS_ACCOUNT);
    if (!account) return [];
    const user = grantee(account.account);
    const grantees = [user, ...(await enabledRoles(connection))];
    const held = new Set([
      ...(await privileges(session, connection, ACCESS_GLOBAL_PRIVILEGES, grantees)),
      ...(await privileges(session, connection, ACCESS_DATABASE_PRIVILEGES, grantees)),
    ]);
    const database = quoteIdentifier(account.db);
    const problems: AccessProblem[] = [];
    const lack = (subject: string, need: string, on: string, why: string) =>
      problems.push({
        level: 'error',
        subject,
        need,
        message: `${engine} user ${user} lacks ${need} on ${on}: ${why}`,
        fix: `GRANT ${need} ON ${on} TO ${user};`,
      });

    if (request.role === 'source') {
      for (const table of request.tables) {
        if (!(await canSelect(session, connection, table))) {
          lack(table, 'SELECT', `${database}.${quoteIdentifier(table)}`, 'its rows cannot be read');
        }
      }
      // MariaDB 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR (the old name is an alias).
      const binlogMonitor =
        flavor === 'mariadb' && (version[0] > 10 || (version[0] === 10 && version[1] >= 5))
          ? 'BINLOG MONITOR'
          : 'REPLICATION CLIENT';
      let binlogPrivilegeReported = false;
      if (request.snapshot) {
        // snapshot.ts takes the global read lock to start every reader at one binlog position.
        if (!held.has('RELOAD')) {
          lack(
            'server',
            'RELOAD',
            '*.*',
            'the consistent snapshot takes FLUSH TABLES WITH READ LOCK for a moment to record the binlog position',
          );
        }
        if (!(await canReadBinlogPosition(session, connection))) {
          lack(
            'server',
            binlogMonitor,
            '*.*',
            'the snapshot records the binlog position (SHOW MASTER STATUS)',
          );
          binlogPrivilegeReported = true;
        }
      }
      if (request.mode === 'sync') {
        const account = { user, engine, held, binlogMonitor } as const;
        problems.push(
          ...(await syncSourceProblems(
            session,
            connection,
            account,
            request.tables,
            binlogPrivilegeReported,
          )),
        );
      }
      return problems;
    }

    const needs = request.schemaOnly ? ['CREATE'] : ['CREATE', 'INSERT'];
    // The constraints phase adds indexes and foreign keys with ALTER TABLE; MySQL 8 also checks
    // REFERENCES on a foreign key's parent, which MariaDB does not use.
    if (request.createTables) needs.push('ALTER', 'INDEX', ...(flavor === 'mysql' ? ['REFERENCES'] : []));
    // TRUNCATE TABLE needs DROP in MariaDB/MySQL.
    if (request.clear) needs.push('DROP');
    for (const need of needs.filter((privilege) => !held.has(privilege))) {
      lack(account.db, need, `${database}.*`, WHY_TARGET[need] ?? 'the copy needs it');
    }
    if (!request.schemaOnly && Number(account.local_infile) !== 1) {
      problems.push({
        level: 'error',
        subject: 'server',
        need: 'local_infile',
        message: `${engine} server has local_infile off: Ferry writes rows with LOAD DATA LOCAL INFILE`,
        fix: 'SET GLOBAL local_infile = 1; (and local_infile = ON under [mysqld] in the server configuration, to keep it after a restart)',
      });
    }
    return problems;
  });
}

async function enabledRoles(connection: MysqlConnection): Promise<string[]> {
  try {
    const [rows] = await connection.query(ACCESS_ROLE);
    return roleGrantees((rows as Array<{ role: string | null }>)[0]?.role);
  } catch {
    return []; // a server without roles
  }
}

async function privileges(
  session: MysqlSession,
  connection: MysqlConnection,
  sql: string,
  grantees: string[],
): Promise<string[]> {
  const rows = await session.run<{ privilege: string }>(connection, 'Reading the account privileges', sql, [
    grantees,
  ]);
  return rows.map((row) => row.privilege);
}

/** Whether the account may read the table: the server answers a `LIMIT 0` read without touching a row. */
async function canSelect(
  session: MysqlSession,
  connection: MysqlConnection,
  table: string,
): Promise<boolean> {
  try {
    await connection.query(`SELECT * FROM ${quoteIdentifier(table)} LIMIT 0`);
    return true;
  } catch (error) {
    const { errno } = driverCode(error);
    if (errno === ERRNO_TABLE_DENIED || errno === ERRNO_COLUMN_DENIED) return false;
    throw statementError(`Checking SELECT on table "${table}"`, error, session.display);
  }
}

/** Whether the binlog position can be read (an empty answer, binlog off, still counts as allowed). */
async function canReadBinlogPosition(session: MysqlSession, connection: MysqlConnection): Promise<boolean> {
  for (const statement of [SHOW_MASTER_STATUS, SHOW_BINARY_LOG_STATUS]) {
    try {
      await connection.query(statement);
      return true;
    } catch (error) {
      const { errno } = driverCode(error);
      if (errno === ERRNO_SYNTAX && statement === SHOW_MASTER_STATUS) continue;
      if (errno === ERRNO_PRIVILEGE) return false;
      throw statementError(`Checking ${statement}`, error, session.display);
    }
  }
  return true;
}
