import type { Migration } from 'kysely';
import * as eventLog from './0001-event-log.ts';
import * as tasks from './0002-tasks.ts';
import * as logSnapshot from './0003-log-snapshot.ts';
import * as snapshots from './0004-snapshots.ts';
import * as namespaces from './0005-namespaces.ts';

/** Every migration, by name; names sort in the order they run. Add new ones here. */
export const migrations: Record<string, Migration> = {
  '0001-event-log': eventLog,
  '0002-tasks': tasks,
  '0003-log-snapshot': logSnapshot,
  '0004-snapshots': snapshots,
  '0005-namespaces': namespaces,
};
