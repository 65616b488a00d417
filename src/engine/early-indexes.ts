/**
 * Builds the indexes of each table as soon as its rows are all in, one table at a time, while
 * the other tables still load: the index build of the table loaded first no longer waits for
 * the last chunk of the run, and the cores left idle by the run's last chunks are used.
 */
import type { Connector, SchemaRequest } from '../connectors/connector.js';
import type { Table } from '../schema/table.js';

export class EarlyIndexes {
  private queue: Promise<void> = Promise.resolve();
  private readonly owned: Set<string>;

  /** `owned`: the target tables whose indexes this run builds (the others are left as found). */
  constructor(
    private readonly target: Connector,
    private readonly request: SchemaRequest,
    owned: readonly Table[],
  ) {
    this.owned = new Set(owned.map((table) => table.name));
  }

  /** Queues the build of one table's indexes. */
  readonly add = (table: Table): void => {
    if (!this.owned.has(table.name)) return;
    const request = { ...this.request, tables: [table], parallel: 1 };
    this.queue = this.queue.then(async () => {
      try {
        // Its notes (an index not carried) come again from the constraints phase, which skips
        // what is built and builds again, and reports, what failed here.
        await this.target.createSchema(request, 'indexes');
      } catch {}
    });
  };

  /** Waits for the queued builds. */
  settled(): Promise<void> {
    return this.queue;
  }
}
