/**
 * Preflight of a SQLite side (Connector.checkAccess): SQLite has no privileges, only the file
 * system's. A source file must be readable; a target needs its folder writable (the file is
 * created there, and WAL mode writes `-wal` and `-shm` files beside it) and room for the rows.
 */
import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AccessProblem, AccessRequest } from '../connector.js';

/** See Connector.checkAccess, for the file at `path` (absolute, or `:memory:`). */
export async function checkSqliteAccess(path: string, request: AccessRequest): Promise<AccessProblem[]> {
  if (path === ':memory:') return [];
  if (request.role === 'source') {
    if (await allowed(path, constants.R_OK)) return [];
    return [
      {
        level: 'error',
        subject: path,
        need: 'read',
        message: `SQLite file ${path} is missing or not readable by this process`,
        fix: `Check the path, or let this user read it (chmod u+r ${path}).`,
      },
    ];
  }
  const folder = dirname(path);
  const problems: AccessProblem[] = [];
  if (!(await allowed(folder, constants.W_OK | constants.X_OK))) {
    problems.push({
      level: 'error',
      subject: folder,
      need: 'write',
      message: `folder ${folder} of the SQLite target is missing or not writable by this process`,
      fix: `Create it or let this user write there (mkdir -p ${folder}; chmod u+wx ${folder}).`,
    });
    return problems;
  }
  if ((await allowed(path, constants.F_OK)) && !(await allowed(path, constants.W_OK))) {
    problems.push({
      level: 'error',
      subject: path,
      need: 'write',
      message: `SQLite file ${path} is not writable by this process`,
      fix: `Let this user write it (chmod u+w ${path}).`,
    });
  }
  const room = await freeBytes(folder);
  if (room !== undefined && request.expectedBytes !== undefined && room < request.expectedBytes) {
    problems.push({
      level: 'warning',
      subject: folder,
      need: 'free space',
      message: `the file system of ${folder} has ${mib(room)} free; the source's tables take about ${mib(request.expectedBytes)}`,
      fix: 'Free space there, or write the target file on another file system.',
    });
  }
  return problems;
}

async function allowed(path: string, mode: number): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Bytes an unprivileged process may still write on the folder's file system. */
async function freeBytes(folder: string): Promise<number | undefined> {
  try {
    const stats = await statfs(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

const mib = (bytes: number) => `${Math.ceil(bytes / 1024 / 1024)} MiB`;
