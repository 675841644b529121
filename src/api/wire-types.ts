/** JSON shapes of the daemon's HTTP API; field names follow containerd's protos (snake_case). */

/** A namespace as the API returns it. */
export interface NamespaceJson {
  /** Its name. */
  readonly name: string;
  /** Its labels. */
  readonly labels: Record<string, string>;
  /** When it was created (explicitly, or by its first container, image or snapshot). */
  readonly created_at: string;
  /** When it last changed. */
  readonly updated_at: string;
}

/** A container as the API returns it. */
export interface ContainerJson {
  /** Container id, unique in its namespace. */
  readonly id: string;
  /** Namespace it lives in. */
  readonly namespace: string;
  /** User labels. */
  readonly labels: Record<string, string>;
  /** The OCI runtime spec. */
  readonly spec: Record<string, unknown>;
  /** Root filesystem directory (empty for an image container). */
  readonly rootfs: string;
  /** Runtime name and options. */
  readonly runtime: { readonly name: string; readonly options: unknown };
  /** Image it was made from (empty for a rootfs directory). */
  readonly image: string;
  /** Its rootfs snapshot (empty for a rootfs directory). */
  readonly snapshot_key: string;
  /** When it was created (RFC 3339, ns). */
  readonly created_at: string;
  /** When it last changed (RFC 3339, ns). */
  readonly updated_at: string;
}

/** POST /v1/containers body. */
export interface CreateContainerRequest {
  /** Container id (containerd identifier rules). */
  readonly id: string;
  /** The OCI runtime spec; needs `process.args`. */
  readonly spec: Record<string, unknown>;
  /** Absolute path of the root filesystem (or give `image`). */
  readonly rootfs?: string;
  /** User labels. */
  readonly labels?: Record<string, string>;
  /** Runtime name (default io.containerd.runc.v2) and options. */
  readonly runtime?: { readonly name?: string; readonly options?: unknown };
  /** Image to prepare a snapshot from, instead of `rootfs`. */
  readonly image?: string;
}

/** PATCH /v1/containers/{id} body. */
export interface UpdateContainerRequest {
  /** New labels (the masked keys are applied). */
  readonly labels?: Record<string, string>;
  /** New OCI spec (with `spec` in the mask). */
  readonly spec?: Record<string, unknown>;
  /** Field paths to apply: `labels`, `labels.KEY`, `spec`; absent means every field given. */
  readonly update_mask?: readonly string[];
}

/** An event as the API streams it: one NDJSON line. */
export interface EventJson {
  /** Position in the log. */
  readonly seq: number;
  /** When it was appended. */
  readonly timestamp: string;
  /** Namespace of the object. */
  readonly namespace: string;
  /** containerd topic, or a `/taskledger/` bookkeeping topic. */
  readonly topic: string;
  /** The payload, with containerd's field names. */
  readonly event: Record<string, unknown>;
  /** The stream it belongs to. */
  readonly stream_id: string;
  /** Its position in the stream. */
  readonly stream_version: number;
  /** The request that caused it. */
  readonly correlation_id: string;
  /** Who caused it. */
  readonly source: string;
  /** Chained SHA-256. */
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
  /** taskledger version. */
  readonly version: string;
  /** Source revision, when known. */
  readonly revision: string;
  /** The daemon's pid. */
  readonly pid: number;
  /** Its root directory. */
  readonly root: string;
  /** Its state directory. */
  readonly state: string;
  /**
   * Monitors the runtime keeps started ahead of creates: how many it keeps, how many are ready,
   * and why the last one failed, if it did. Absent when the runtime keeps none.
   */
  readonly standby_monitors?: { target: number; ready: number; last_error?: string };
}
