/** The events a verify emits (DESIGN.md principle 6); every hook is optional and must not throw. */
import type { TableVerifyResult } from './verify-result.js';

/** Listener of a verify's events. */
export interface VerifyReporter {
  onVerifyTableStart?(event: { table: string; targetTable: string; chunks: number; mode: string }): void;
  onVerifyChunk?(event: { table: string; chunk: number; chunks: number; rows: number; equal: boolean }): void;
  onVerifyTableDone?(result: TableVerifyResult): void;
}
