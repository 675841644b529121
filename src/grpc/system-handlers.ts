import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { packageVersion } from '../api/package-version.ts';
import { toProtoTimestamp } from './proto-timestamp.ts';
import { unary, type Log } from './unary-handler.ts';

/** `Version/Version`: taskledger's version; the revision names the implementation for `ctr version`. */
export function versionHandlers(log: Log): UntypedServiceImplementation {
  return { Version: unary(log, () => ({ version: packageVersion, revision: 'taskledger' })) };
}

/**
 * `Introspection/Server`, which `ctr version` prints. containerd keeps its UUID on disk; this
 * one identifies the server for its lifetime only, which is all `ctr` does with it.
 */
export function introspectionHandlers(log: Log): UntypedServiceImplementation {
  const uuid = randomUUID();
  return { Server: unary(log, () => ({ uuid, pid: process.pid, pidns: pidNamespace() })) };
}

/**
 * `Leases/Create` and `Delete`. containerd's leases keep images and snapshots from garbage
 * collection while a client works; taskledger has neither, so a lease protects nothing and
 * is not recorded (`ctr` wraps every container creation in one).
 */
export function leasesHandlers(log: Log): UntypedServiceImplementation {
  return {
    Create: unary(log, (req: { id: string; labels: Record<string, string> }) => ({
      lease: {
        id: req.id || randomUUID(),
        created_at: toProtoTimestamp(new Date().toISOString()),
        labels: req.labels,
      },
    })),
    Delete: unary(log, () => ({})),
  };
}

/** The inode of this process's pid namespace (what containerd reports as `pidns`); 0 if unknown. */
function pidNamespace(): number {
  try {
    return statSync('/proc/self/ns/pid').ino;
  } catch {
    return 0;
  }
}
