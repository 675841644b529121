import type { Timestamp } from '../domain/timestamp.ts';

/** Where time comes from; injected so that deciders and tests never read the wall clock. */
export interface Clock {
  /** The current time, with nanosecond resolution where the platform has it. */
  now(): Timestamp;
}
