/** JSON shapes of the daemon's HTTP API; field names follow containerd's protos (snake_case). */

/** A container as the API returns it. */
export interface ContainerJson {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly spec: Record<string, unknown>;
  readonly rootfs: string;
  readonly runtime: { readonly name: string; readonly options: unknown };
  readonly image: string;
  readonly snapshot_key: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** POST /v1/containers body. */
export interface CreateContainerRequest {
  readonly id: string;
  readonly spec: Record<string, unknown>;
  readonly rootfs?: string;
  readonly labels?: Record<string, string>;
  readonly runtime?: { readonly name?: string; readonly options?: unknown };
  readonly image?: string;
}

/** PATCH /v1/containers/{id} body. */
export interface UpdateContainerRequest {
  readonly labels?: Record<string, string>;
  readonly spec?: Record<string, unknown>;
  /** Field paths to apply: `labels`, `labels.KEY`, `spec`; absent means every field given. */
  readonly update_mask?: readonly string[];
}

/** An event as the API streams it: one NDJSON line. */
export interface EventJson {
  readonly seq: number;
  readonly timestamp: string;
  readonly namespace: string;
  readonly topic: string;
  readonly event: Record<string, unknown>;
  readonly stream_id: string;
  readonly stream_version: number;
  readonly correlation_id: string;
  readonly source: string;
  readonly hash: string;
}

/** GET /v1/events query. */
export interface EventsQuery {
  /** Sequence number or RFC 3339 time to start after/at. */
  readonly since?: string;
  /** Sequence number or RFC 3339 time to stop at. */
  readonly until?: string;
  /** containerd filters; OR'ed. */
  readonly filters?: readonly string[];
  /** Keep streaming live events. */
  readonly follow?: boolean;
}

/** GET /v1/version response. */
export interface VersionJson {
  readonly version: string;
  readonly revision: string;
  readonly pid: number;
  readonly root: string;
  readonly state: string;
}
