import { TaskledgerError } from '../domain/errors.ts';

/**
 * A subscriber's buffer overflowed: it was ended so that it could not slow down publishing or
 * the other subscribers. Nothing is lost: the events are in the log, and subscribing again with
 * `afterSeq: error.seq - 1` resumes exactly where delivery stopped.
 */
export class FellBehindError extends TaskledgerError {
  /** The first seq not handed to the subscriber: where it resumes from. */
  readonly seq: number;

  constructor(seq: number) {
    super('Unavailable', `subscriber fell behind at seq ${seq}`);
    this.name = 'FellBehindError';
    this.seq = seq;
  }
}
