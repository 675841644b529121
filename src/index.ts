/**
 * taskledger's public API for Node programs: a typed client of the daemon. Event methods return
 * RxJS Observables.
 */
export { connect, defaultAddress } from './api/client.ts';
export type { ExitJson, IoPaths, LogRecordJson, TaskJson, TaskledgerClient } from './api/client.ts';
export type {
  ContainerJson,
  CreateContainerRequest,
  EventJson,
  EventsQuery,
  UpdateContainerRequest,
  VersionJson,
} from './api/wire-types.ts';
export { TaskledgerError, errorCodes, type ErrorCode } from './domain/errors.ts';
