/** How far an unpack is: `done` of `total` units (bytes) in the current phase. */
export interface UnpackProgress {
  /** What is happening: `reading archive`, `applying layer 2/3`, `copying directory`. */
  readonly phase: string;
  /** Units done in this phase. */
  readonly done: number;
  /** Units this phase has in all (0 when unknown). */
  readonly total: number;
}

/** What an unpack made. */
export interface UnpackResult {
  /** What the source was. */
  readonly format: 'directory' | 'tar' | 'oci' | 'docker';
  /** Bytes of file data written. */
  readonly bytes: number;
  /** Layers applied (1 for a directory or a plain archive). */
  readonly layers: number;
}

/** Turns an image source into a root filesystem directory. */
export interface ImageUnpacker {
  /**
   * Unpacks `source` (a directory, a tar archive, plain or gzip, or an OCI image layout / `docker
   * save` archive whose layers are applied in order with their whiteouts) into `target`, an
   * empty directory. `scratch` (absent, same filesystem) may be used for the archive's blobs.
   * Refuses entries that would land outside `target` with InvalidArgument naming the entry; a
   * corrupt or truncated archive is InvalidArgument too. On failure the caller removes both dirs.
   */
  unpack(
    source: string,
    target: string,
    options: {
      readonly scratch: string;
      readonly signal?: AbortSignal;
      readonly onProgress?: (progress: UnpackProgress) => void;
    },
  ): Promise<UnpackResult>;
}
