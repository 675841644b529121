/** JSON shapes of the image API (snake_case, as containerd's protos). */

/** An image as the API returns it. */
export interface ImageJson {
  /** The image's name (reference). */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Its labels. */
  readonly labels: Record<string, string>;
  /** The committed snapshot holding its root filesystem. */
  readonly snapshot_key: string;
  /** Bytes of its own layer on disk. */
  readonly size: number;
  /** When it was made. */
  readonly created_at: string;
  /** When it last changed. */
  readonly updated_at: string;
}

/** POST /v1/images body: import a directory or archive on the daemon's host. */
export interface ImportImageRequest {
  /** The new image's name. */
  readonly name: string;
  /** Absolute path of a directory, a tar archive (plain or gzip) or an OCI image layout archive. */
  readonly source: string;
  /** Labels for the image. */
  readonly labels?: Record<string, string>;
}

/** One line of the import's NDJSON answer: progress, then the image. */
export type ImportLineJson =
  { readonly progress: ImportProgressJson } | { readonly image: ImageJson };

/** How far an import is. */
export interface ImportProgressJson {
  /** What it is doing: `reading archive`, `applying layer 2/3`, `copying directory`. */
  readonly phase: string;
  /** Bytes done in this phase. */
  readonly done: number;
  /** Bytes in this phase (0 when unknown). */
  readonly total: number;
}

/** POST /v1/containers/{id}/commit body. */
export interface CommitContainerRequest {
  /** Name of the image to make. */
  readonly name: string;
  /** Labels for it. */
  readonly labels?: Record<string, string>;
}

/** A snapshot as the API returns it. */
export interface SnapshotJson {
  /** Its key (containers' snapshots are keyed by the container id; bases are `base:N`). */
  readonly key: string;
  /** `active` (writable, a container's) or `committed` (a read-only base). */
  readonly kind: string;
  /** The committed snapshot below it ('' for none). */
  readonly parent: string;
  /** Its directory number under the daemon's snapshots directory. */
  readonly id: number;
  /** When it was made. */
  readonly created_at: string;
}
