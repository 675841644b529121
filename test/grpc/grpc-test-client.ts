import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadContainerdApi, type ServiceName } from '../../src/grpc/containerd-api.ts';

/** The loaded API, shared by the tests (decoding event payloads, building clients). */
export const api = loadContainerdApi();

type Unary = (
  request: unknown,
  metadata: Metadata,
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;
type Streaming = (request: unknown, metadata: Metadata) => ClientReadableStream<unknown>;

/** A grpc-js client of one containerd service on `address`, with promise-returning calls. */
export interface TestServiceClient {
  /** Calls a unary method; rejects with the ServiceError (its `code` is the gRPC status). */
  call<T = Record<string, unknown>>(
    method: string,
    request: Record<string, unknown>,
    namespace?: string | null,
  ): Promise<T>;
  /** Opens a server stream. */
  stream<T = Record<string, unknown>>(
    method: string,
    request: Record<string, unknown>,
    namespace?: string | null,
  ): ClientReadableStream<T>;
  /** Closes the channel. */
  close(): void;
}

/** A client of the service `name` on the unix socket `address`; `namespace: null` sends no header. */
export function serviceClient(address: string, name: ServiceName): TestServiceClient {
  const Ctor = makeGenericClientConstructor(api.services[name], name);
  const client = new Ctor(`unix:${address}`, credentials.createInsecure()) as Client &
    Record<string, unknown>;
  const metadata = (namespace: string | null): Metadata => {
    const m = new Metadata();
    if (namespace !== null) m.set('containerd-namespace', namespace);
    return m;
  };
  return {
    call<T>(
      method: string,
      request: Record<string, unknown>,
      namespace: string | null = 'default',
    ) {
      const fn = (client[method] as Unary).bind(client);
      return new Promise<T>((resolve, reject) => {
        fn(request, metadata(namespace), (error, response) =>
          error ? reject(error) : resolve(response as T),
        );
      });
    },
    stream<T>(
      method: string,
      request: Record<string, unknown>,
      namespace: string | null = 'default',
    ) {
      return (client[method] as Streaming).call(
        client,
        request,
        metadata(namespace),
      ) as ClientReadableStream<T>;
    },
    close() {
      client.close();
    },
  };
}
