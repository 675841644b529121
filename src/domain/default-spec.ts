/** What varies between the default specs of two commands. */
export interface DefaultSpecOptions {
  /** The command and its arguments; `args[0]` is looked up in the container's PATH. */
  readonly args: readonly string[];
  /** Extra `KEY=value` entries; a key given here replaces the default of the same key. */
  readonly env?: readonly string[];
  /** Working directory inside the container; `/` when absent. */
  readonly cwd?: string;
  /** The container's hostname (it gets its own UTS namespace); `taskledger` when absent. */
  readonly hostname?: string;
}

const defaultEnv = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];

// containerd's default capability set (oci.WithDefaultSpec): what `ctr run` gives a container.
const defaultCapabilities = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/**
 * An OCI runtime spec for running `args` non-interactively, modelled on `runc spec` (runc 1.1):
 * the same mounts, masked and read-only paths, namespaces (pid, ipc, uts, mount, network) and
 * device policy, but no terminal, a writable root and containerd's default capabilities.
 *
 * The only rlimit is RLIMIT_NOFILE at 1024: hosts without CAP_SYS_RESOURCE cannot raise a limit
 * above their own hard limit, and `runc create` then fails with "error setting rlimits".
 * `root.path` is `rootfs`, relative to the bundle; a runtime may replace it.
 */
export function defaultSpec(options: DefaultSpecOptions): Record<string, unknown> {
  if (options.args.length === 0) throw new RangeError('defaultSpec needs at least one argument');
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [...options.args],
      env: mergeEnv(defaultEnv, options.env ?? []),
      cwd: options.cwd ?? '/',
      capabilities: {
        bounding: [...defaultCapabilities],
        effective: [...defaultCapabilities],
        permitted: [...defaultCapabilities],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: options.hostname ?? 'taskledger',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      {
        destination: '/dev/shm',
        type: 'tmpfs',
        source: 'shm',
        options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      },
      {
        destination: '/dev/mqueue',
        type: 'mqueue',
        source: 'mqueue',
        options: ['nosuid', 'noexec', 'nodev'],
      },
      {
        destination: '/sys',
        type: 'sysfs',
        source: 'sysfs',
        options: ['nosuid', 'noexec', 'nodev', 'ro'],
      },
      {
        destination: '/sys/fs/cgroup',
        type: 'cgroup',
        source: 'cgroup',
        options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
      },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [
        { type: 'pid' },
        { type: 'network' },
        { type: 'ipc' },
        { type: 'uts' },
        { type: 'mount' },
      ],
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** Appends `extra` to `base`, an entry of `extra` replacing the `base` entry with the same key. */
function mergeEnv(base: readonly string[], extra: readonly string[]): string[] {
  const keyOf = (entry: string): string => entry.split('=', 1)[0] ?? entry;
  const extraKeys = new Set(extra.map(keyOf));
  return [...base.filter((entry) => !extraKeys.has(keyOf(entry))), ...extra];
}
