import { Observable } from 'rxjs';
import type { RuntimeEvent } from '../ports/runtime.ts';

/**
 * Live events preceded by a replay: each subscriber first gets the exits `recorded()` finds on
 * disk, oldest first, then the live events. Live events that arrive during the scan are held
 * and sent after it, minus exits the scan already delivered, so nothing falls in the gap and
 * nothing is sent twice. Consumers still de-duplicate across subscriptions: a replay repeats
 * every exit not yet deleted.
 */
export function withRecordedExits(
  live: Observable<RuntimeEvent>,
  recorded: () => Promise<RuntimeEvent[]>,
): Observable<RuntimeEvent> {
  return new Observable<RuntimeEvent>((subscriber) => {
    let held: RuntimeEvent[] | undefined = [];
    const subscription = live.subscribe({
      next: (event) => (held ? held.push(event) : subscriber.next(event)),
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    recorded().then(
      (exits) => {
        const sorted = [...exits].sort((a, b) => exitTime(a).localeCompare(exitTime(b)));
        const seen = new Set(sorted.map(exitKey));
        for (const event of sorted) subscriber.next(event);
        const pending = held ?? [];
        held = undefined;
        for (const event of pending)
          if (event.type !== 'exit' || !seen.has(exitKey(event))) subscriber.next(event);
      },
      (error: unknown) => subscriber.error(error),
    );
    return () => subscription.unsubscribe();
  });
}

// Timestamps are fixed-width RFC 3339 in UTC, so text order is time order.
const exitTime = (event: RuntimeEvent): string => (event.type === 'exit' ? event.exitedAt : '');

const exitKey = (event: RuntimeEvent): string =>
  `${event.namespace}/${event.containerId}/${event.type === 'exit' ? event.execId : ''}`;
