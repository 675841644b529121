import { connect, type TaskledgerClient } from '../api/client.ts';

/** What every command gets: the parsed global flags and a client. */
export interface CliContext {
  /** Daemon socket (`--address`, env TASKLEDGER_ADDRESS). */
  readonly address: string;
  /** Namespace (`--namespace`, env TASKLEDGER_NAMESPACE). */
  readonly namespace: string;
  /** Machine output. */
  readonly json: boolean;
  /** A client naming this command as the cause of its events. */
  client(command: string): TaskledgerClient;
}

/** Builds the context from the global flags. */
export function createContext(address: string, namespace: string, json: boolean): CliContext {
  return {
    address,
    namespace,
    json,
    client: (command) => connect(address, { namespace, client: `cli ${command}` }),
  };
}
