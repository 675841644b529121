import { createHash } from 'node:crypto';

/** The hash of the (empty) log before the first event. */
export const genesisHash = '0'.repeat(64);

/** The fields of an event that its hash covers, in the stored (text) form. */
export interface HashedFields {
  readonly seq: number;
  readonly streamId: string;
  readonly streamVersion: number;
  readonly namespace: string;
  readonly topic: string;
  readonly payload: string;
  readonly timestamp: string;
  readonly correlationId: string;
  readonly source: string;
}

/**
 * SHA-256 over the previous hash and every stored field: editing, deleting or reordering any row
 * breaks the chain from that row on.
 */
export function chainHash(previousHash: string, f: HashedFields): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        previousHash,
        f.seq,
        f.streamId,
        f.streamVersion,
        f.namespace,
        f.topic,
        f.payload,
        f.timestamp,
        f.correlationId,
        f.source,
      ]),
    )
    .digest('hex');
}
