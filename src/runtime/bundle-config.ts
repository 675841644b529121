import { invalidArgument } from '../domain/errors.ts';
import type { OciProcess, OciSpec } from '../ports/runtime.ts';

/** What the runtime fixes in a client's spec before writing it as the bundle's config.json. */
export interface BundleConfigOptions {
  /** Absolute path of the rootfs (a host directory, or the bundle's mount point): `root.path`. */
  readonly rootfs: string;
  /** Makes the rootfs read-only for the container (a read-only bind given as a plain directory). */
  readonly readonly?: boolean;
  /** cgroup to use when the spec names none (see RuntimeLayout.cgroupsPath). */
  readonly cgroupsPath: string;
  /**
   * Whether the client asked for a terminal in its IO. It decides `process.terminal`, as the
   * console socket containerd's shim hands runc does: runc refuses the two disagreeing.
   */
  readonly terminal: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The config.json for a task: the client's spec with `root.path` pointing at its rootfs and a
 * cgroup of its own, and `process.terminal` as the IO says. Pure; throws InvalidArgument for what
 * runc would only reject later.
 */
export function bundleConfig(spec: OciSpec, options: BundleConfigOptions): OciSpec {
  if (!isRecord(spec)) throw invalidArgument('spec must be a JSON object');
  validateProcess(spec.process, 'spec.process');
  const root = isRecord(spec.root) ? spec.root : {};
  const linux = isRecord(spec.linux) ? spec.linux : {};
  const cgroupsPath =
    typeof linux.cgroupsPath === 'string' && linux.cgroupsPath !== ''
      ? linux.cgroupsPath
      : options.cgroupsPath;
  const readonly = options.readonly === true ? { readonly: true } : {};
  return {
    ...spec,
    process: { ...(spec.process as object), terminal: options.terminal },
    root: { ...root, path: options.rootfs, ...readonly },
    linux: { ...linux, cgroupsPath },
  };
}

/**
 * Checks an OCI process object (the spec's, or an exec's) for what taskledger needs:
 * non-empty string `args` and a string `cwd` if any.
 */
export function validateProcess(process: unknown, what: string): OciProcess {
  if (!isRecord(process)) throw invalidArgument(`${what} must be a JSON object`);
  const { args } = process;
  if (!Array.isArray(args) || args.length === 0 || !args.every((arg) => typeof arg === 'string')) {
    throw invalidArgument(`${what}.args must be a non-empty array of strings`);
  }
  if (process.cwd !== undefined && typeof process.cwd !== 'string') {
    throw invalidArgument(`${what}.cwd must be a string`);
  }
  return process;
}
