/**
 * Connector.dropChangeStream: the stream's slot (after ending the walsender that holds it) and its
 * publication. A slot of the same name in another database is another plan's and stays.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { DatabaseError } from '../../errors.js';
import { DROP_SLOT, dropPublication, SLOT_STATE, type SlotRow, TERMINATE_SLOT_HOLDER } from './cdc-sql.js';
import { changeStreamNames } from './change-stream-names.js';

/** How long a terminated walsender may take to let go of its slot. */
const RELEASE_WAIT_MS = 10_000;
const POLL_MS = 100;

/** Drops the slot and publication of stream `name`; nothing to do when neither exists. */
export async function dropPostgresChangeStream(
  client: pg.ClientBase,
  name: string,
  display: string,
): Promise<void> {
  const names = changeStreamNames(name);
  const deadline = Date.now() + RELEASE_WAIT_MS;
  for (;;) {
    const slot = (await client.query<SlotRow>(SLOT_STATE, [names.slot])).rows[0];
    if (!slot?.here) break;
    if (slot.active) {
      if (Date.now() > deadline) {
        throw new DatabaseError(
          'PG_CDC_SLOT_BUSY',
          `Replication slot ${names.slot} on ${display} is still held by process ${slot.pid ?? '?'} after it was told to end. Stop that process (SELECT pg_terminate_backend(${slot.pid ?? 'active_pid'});) and drop the stream again.`,
        );
      }
      await client.query(TERMINATE_SLOT_HOLDER, [names.slot]);
      await sleep(POLL_MS);
      continue;
    }
    try {
      await client.query(DROP_SLOT, [names.slot]);
      break;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // 42704: dropped meanwhile; 55006: taken again meanwhile, so end its holder first.
      if (code === '42704') break;
      if (code !== '55006') throw error;
    }
  }
  await client.query(dropPublication(names.publication));
}
