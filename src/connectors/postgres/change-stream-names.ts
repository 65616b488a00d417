/**
 * The replication slot and publication a change stream keeps on the source. Slot names may hold
 * only lower-case letters, digits and underscores, at most 63 bytes; the publication shares the name.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';

const MAX_SLOT_NAME = 63;

/** What `ferry_<name>` becomes on the server. */
export interface ChangeStreamNames {
  slot: string;
  publication: string;
}

/**
 * `ferry_<name>` with every other character made `_`; a name that had to change (case, other
 * characters, length) also gets 8 hex digits of its SHA-1, so `Shop` and `shop` never share a slot.
 */
export function changeStreamNames(name: string): ChangeStreamNames {
  if (name.length === 0) {
    throw new UsageError('PG_CDC_NAME', 'A change stream needs a name (the plan name): it names the slot.');
  }
  const plain = `ferry_${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  const exact = plain === `ferry_${name}` && plain.length <= MAX_SLOT_NAME;
  const slot = exact
    ? plain
    : `${plain.slice(0, MAX_SLOT_NAME - 9)}_${createHash('sha1').update(name).digest('hex').slice(0, 8)}`;
  return { slot, publication: slot };
}
