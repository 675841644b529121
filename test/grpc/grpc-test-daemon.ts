import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TaskledgerClient } from '../../src/api/client.ts';
import { startDaemon, type Daemon } from '../../src/daemon/daemon.ts';

/** A daemon in this process on private temp dirs, serving containerd's gRPC API too. */
export interface GrpcTestDaemon {
  /** The temp dir holding root, state and both sockets. */
  readonly dir: string;
  /** The JSON API's socket. */
  readonly address: string;
  /** The gRPC socket `ctr --address` talks to. */
  readonly grpcAddress: string;
  /** A client of the JSON API, in namespace `default`. */
  readonly client: TaskledgerClient;
  /** The daemon's diagnostics. */
  readonly logs: string[];
  /** Stops the daemon and removes its dirs. */
  dispose(): Promise<void>;
}

/** Starts a daemon like test/helpers/test-daemon.ts does, plus `--grpc-address`. */
export async function startGrpcTestDaemon(): Promise<GrpcTestDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'taskledger-grpc-'));
  const address = join(dir, 'api.sock');
  const grpcAddress = join(dir, 'grpc.sock');
  const logs: string[] = [];
  const daemon: Daemon = await startDaemon({
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    address,
    grpcAddress,
    log: (line) => logs.push(line),
  });
  return {
    dir,
    address,
    grpcAddress,
    client: connect(address, { client: 'test' }),
    logs,
    async dispose() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
