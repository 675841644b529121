import { readdir } from 'node:fs/promises';
import { execProcess, initProcess, type WatchedProcess } from './exit-watcher.ts';
import type { RuntimeLayout } from './runtime-layout.ts';

/** A task's address. */
export interface TaskRef {
  /** Its namespace. */
  readonly namespace: string;
  /** Its container id. */
  readonly id: string;
}

const subdirectories = async (dir: string): Promise<string[]> => {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
};

/** Every task that has a bundle directory, in every namespace. */
export async function bundleTasks(layout: RuntimeLayout): Promise<TaskRef[]> {
  const refs: TaskRef[] = [];
  for (const namespace of await subdirectories(layout.bundlesDir)) {
    for (const id of await subdirectories(layout.namespaceBundles(namespace)))
      refs.push({ namespace, id });
  }
  return refs;
}

/** Namespaces that have a runc root (runc may know containers whose bundle is gone). */
export const runcNamespaces = (layout: RuntimeLayout): Promise<string[]> =>
  subdirectories(layout.runcDir);

/** The processes of a task to watch: its init process, which reports OOMs, and each exec. */
export async function taskWatchedProcesses(
  layout: RuntimeLayout,
  ref: TaskRef,
): Promise<WatchedProcess[]> {
  const paths = layout.task(ref.namespace, ref.id);
  const init = initProcess(ref.namespace, ref.id, paths);
  const execs = (await subdirectories(paths.execsDir)).map((execId) =>
    execProcess(ref.namespace, ref.id, execId, paths.exec(execId)),
  );
  return [init, ...execs];
}
