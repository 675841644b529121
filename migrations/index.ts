import type { Migration } from 'kysely';
import * as eventLog from './0001-event-log.ts';
import * as tasks from './0002-tasks.ts';

/** Every migration, by name; names sort in the order they run. Add new ones here. */
export const migrations: Record<string, Migration> = {
  '0001-event-log': eventLog,
  '0002-tasks': tasks,
};
