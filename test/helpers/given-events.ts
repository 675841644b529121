import type { NewEvent, StoredEvent } from '../../src/domain/event-envelope.ts';

/**
 * Folds decided events through `evolve` as if the store had appended them one second apart:
 * the "given" step of decider and projection tests.
 */
export function given<S>(
  evolve: (state: S | undefined, event: StoredEvent) => S | undefined,
  events: readonly NewEvent[],
  streamId = 's',
): S | undefined {
  return events.reduce<S | undefined>(
    (state, e, i) =>
      evolve(state, {
        ...e,
        seq: i + 1,
        streamId,
        streamVersion: i + 1,
        namespace: 'default',
        timestamp: `2026-11-29T00:00:0${i}.000000000Z`,
        correlationId: 'c',
        source: 's',
        hash: '',
      }),
    undefined,
  );
}
