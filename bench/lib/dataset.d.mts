/** Types of the benchmark dataset module (dataset.mjs), for the tests that seed small versions of it. */
export const BASE_ROWS: Record<'customers' | 'orders' | 'events', number>;
export const DATASET_VERSION: number;
export function rowCounts(scale: number): Record<'customers' | 'orders' | 'events', number>;
export const TABLES: Record<
  string,
  { indexes: Array<{ name: string; columns: string[]; unique?: boolean }> }
>;
export function createTables(engine: 'mariadb' | 'postgres'): string[];
export function postgresPrimaryKey(table: string): string;
export function createIndexes(engine: 'mariadb' | 'postgres', table: string): string[];
export function fillStatements(engine: 'mariadb' | 'postgres', scale: number): string[];
