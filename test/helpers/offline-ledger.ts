import { join } from 'node:path';
import { projections } from '../../src/daemon/daemon.ts';
import type { EventCause, NewEvent } from '../../src/domain/event-envelope.ts';
import { createSystemClock } from '../../src/platform/system-clock.ts';
import type { EventStore } from '../../src/ports/event-store.ts';
import { openLedgerDatabase } from '../../src/store/open-database.ts';
import { createSqliteEventStore } from '../../src/store/sqlite-event-store.ts';

/**
 * Opens the ledger of a stopped daemon (its `root`) and hands its store to `edit`: how tests set
 * the scene a crash would leave, such as an intent without its outcome.
 */
export async function editLedgerOffline(
  root: string,
  edit: (store: EventStore) => void,
): Promise<void> {
  const db = await openLedgerDatabase(join(root, 'ledger.db'));
  try {
    edit(createSqliteEventStore(db, { clock: createSystemClock(), projections }));
  } finally {
    await db.close();
  }
}

/** Appends `events` to a stream of namespace `default` at whatever version it is. */
export function appendToStream(
  store: EventStore,
  streamId: string,
  events: readonly NewEvent[],
  cause: EventCause = { correlationId: 'crash', source: 'test' },
): void {
  const expectedVersion = store.streamVersion(streamId);
  store.append([{ streamId, namespace: 'default', expectedVersion, events }], cause);
}
