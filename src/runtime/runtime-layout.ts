import { createHash } from 'node:crypto';
import path from 'node:path';

/** The monitor directory of one process: conmon's persist dir, where it writes `exit` and `oom`. */
export interface ProcessPaths {
  /** The directory itself; one inotify watch on it sees the exit (and, for init, the OOM). */
  readonly dir: string;
  /** Exit status written by conmon when the process ends; its mtime is the exit time. */
  readonly exitFile: string;
  /** Created empty by conmon when the kernel OOM-kills something in the task's memory cgroup. */
  readonly oomFile: string;
  /** The process's pid as runc wrote it (`runc create|exec --pid-file`). */
  readonly pidFile: string;
  /** conmon's own pid (`conmon -P`). */
  readonly conmonPidFile: string;
  /**
   * conmon's sync reports when a launcher shell started it (its `_OCI_SYNCPIPE` fd is this
   * file): the pid or runc's error, then, for an exec, the exit status.
   */
  readonly syncFile: string;
  /** conmon's stderr when a launcher shell started it: why it refused its arguments. */
  readonly conmonStderrFile: string;
  /** k8s-file log: `TIMESTAMP stdout|stderr F|P text` lines. */
  readonly logFile: string;
  /** The OCI process spec of an exec (`runc exec --process`); unused for init. */
  readonly processFile: string;
  /** conmon's `-u`: names its attach-socket symlink, short so socket paths stay under 108 bytes. */
  readonly monitorId: string;
  /**
   * Where conmon binds the process's `attach` socket: its `-b`, the bundle for init, the monitor
   * directory for an exec. The stdin relay runs there and connects to the relative `attach`.
   */
  readonly attachDir: string;
  /** conmon's control FIFO (`ctl` in its `-b` directory): `1 HEIGHT WIDTH\n` resizes the terminal. */
  readonly controlFifo: string;
  /** Pid of the stdin relay (see stdin-relay.ts), when the process has a stdin path or open stdin. */
  readonly stdinRelayPidFile: string;
  /** The FIFO of an open stdin: attach clients write to it, the relay holds it open. */
  readonly stdinFifo: string;
}

/** Where everything of one task lives. */
export interface TaskPaths {
  /** The OCI bundle directory; removing it removes every file of the task. */
  readonly bundle: string;
  /** `config.json` inside the bundle. */
  readonly config: string;
  /** Mount point of the task's root filesystem. */
  readonly rootfs: string;
  /** Parent of the exec monitor directories. */
  readonly execsDir: string;
  /** Monitor files of the init process. */
  readonly init: ProcessPaths;
  /** Monitor files of an exec. */
  exec(execId: string): ProcessPaths;
  /** Present when a standby monitor made the task: it names the slot (see standby-monitors.ts). */
  readonly standbyMarker: string;
}

/**
 * A standby monitor's slot: a conmon already running `runc create` for a container whose spec is
 * still to come. Until a task claims it, the slot directory is runc's bundle and conmon's `-b`;
 * the claim renames it to the task's bundle and leaves a symlink here, through which conmon's own
 * paths (pid file, exit file) keep working.
 */
export interface StandbySlotPaths {
  /** The slot's name: the runc container id until the claim, and its directory's name. */
  readonly name: string;
  /** The slot directory (a symlink to the task's bundle once claimed). */
  readonly dir: string;
  /** `config.json`: a FIFO that runc blocks on until the spec is written into it. */
  readonly config: string;
  /** Holds the slot's name; it travels with the directory and names the slot to its task. */
  readonly marker: string;
  /** Monitor files of the process runc creates (the claimed task's init). */
  readonly init: ProcessPaths;
  /** runc's state directory of the container while it still has the slot's name. */
  readonly runcState: string;
}

/** Every path the runc runtime uses under its state directory; computing them does no I/O. */
export interface RuntimeLayout {
  /** The runtime's state directory. */
  readonly stateDir: string;
  /** Parent of the per-namespace runc roots. */
  readonly runcDir: string;
  /** Parent of the per-namespace bundle directories. */
  readonly bundlesDir: string;
  /** conmon's `--socket-dir-path`, where it links attach sockets; it must exist. */
  readonly socketDir: string;
  /** Where commands run from the launcher shells leave their stdout and stderr until read. */
  readonly scratchDir: string;
  /** runc's `--root` for a namespace: private to taskledger, one per namespace. */
  runcRoot(namespace: string): string;
  /** The directory holding the bundles of a namespace. */
  namespaceBundles(namespace: string): string;
  /** The paths of one task. */
  task(namespace: string, id: string): TaskPaths;
  /** Parent of the standby slots. */
  readonly standbySlotsDir: string;
  /** runc's `--root` for standby containers, until a claim moves them to their namespace's. */
  readonly standbyRuncRoot: string;
  /** The paths of one standby slot. */
  standbySlot(name: string): StandbySlotPaths;
  /**
   * The cgroup of a task when its spec names none. runc's default (`/<id>`) would put equal ids
   * of two namespaces, or of two taskledger instances, into one cgroup; the instance hash and
   * the namespace keep them apart.
   */
  cgroupsPath(namespace: string, id: string): string;
  /** The parent of every {@link cgroupsPath} of this instance: `/taskledger/<instance hash>`. */
  readonly cgroupParent: string;
}

const shortHash = (text: string, length: number): string =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/** Computes the runtime's layout under `stateDir` (made absolute). */
export function createRuntimeLayout(stateDir: string): RuntimeLayout {
  const root = path.resolve(stateDir);
  const runcDir = path.join(root, 'runc');
  const bundlesDir = path.join(root, 'bundles');
  const instance = shortHash(root, 12);
  const standbyDir = path.join(root, 'standby');
  const standbySlotsDir = path.join(standbyDir, 'slots');
  const standbyRuncRoot = path.join(standbyDir, 'runc');

  const processPaths = (dir: string, key: string, attachDir: string): ProcessPaths =>
    Object.freeze({
      dir,
      exitFile: path.join(dir, 'exit'),
      oomFile: path.join(dir, 'oom'),
      pidFile: path.join(dir, 'pid'),
      conmonPidFile: path.join(dir, 'conmon.pid'),
      syncFile: path.join(dir, 'sync'),
      conmonStderrFile: path.join(dir, 'conmon.stderr'),
      logFile: path.join(dir, 'log'),
      processFile: path.join(dir, 'process.json'),
      monitorId: shortHash(`${root}\0${key}`, 24),
      attachDir,
      controlFifo: path.join(attachDir, 'ctl'),
      stdinRelayPidFile: path.join(dir, 'stdin-relay.pid'),
      stdinFifo: path.join(dir, 'stdin'),
    });

  return Object.freeze({
    stateDir: root,
    runcDir,
    bundlesDir,
    socketDir: path.join(root, 'sockets'),
    scratchDir: path.join(root, 'scratch'),
    runcRoot: (namespace: string) => path.join(runcDir, namespace),
    namespaceBundles: (namespace: string) => path.join(bundlesDir, namespace),
    task(namespace: string, id: string): TaskPaths {
      const bundle = path.join(bundlesDir, namespace, id);
      const execsDir = path.join(bundle, 'execs');
      return Object.freeze({
        bundle,
        config: path.join(bundle, 'config.json'),
        rootfs: path.join(bundle, 'rootfs'),
        execsDir,
        init: processPaths(path.join(bundle, 'init'), `${namespace}\0${id}`, bundle),
        exec: (execId: string) => {
          const dir = path.join(execsDir, execId);
          return processPaths(dir, `${namespace}\0${id}\0${execId}`, dir);
        },
        standbyMarker: path.join(bundle, 'standby'),
      });
    },
    standbySlotsDir,
    standbyRuncRoot,
    standbySlot(name: string): StandbySlotPaths {
      const dir = path.join(standbySlotsDir, name);
      return Object.freeze({
        name,
        dir,
        config: path.join(dir, 'config.json'),
        marker: path.join(dir, 'standby'),
        // The slot's own key: a claimed slot's monitor id differs from its task's.
        init: processPaths(path.join(dir, 'init'), `\0standby\0${name}`, dir),
        runcState: path.join(standbyRuncRoot, name),
      });
    },
    cgroupsPath: (namespace: string, id: string) => `/taskledger/${instance}/${namespace}/${id}`,
    cgroupParent: `/taskledger/${instance}`,
  });
}
