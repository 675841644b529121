import type { Migration } from 'kysely';
import * as eventLog from './0001-event-log.ts';

/** Every migration, by name; names sort in the order they run. Add new ones here. */
export const migrations: Record<string, Migration> = {
  '0001-event-log': eventLog,
};
