import type { FieldAdaptor } from './filter.ts';
import type { Task } from './task-state.ts';

/**
 * containerd's task adaptor for `Tasks/Metrics` filters: `id` (the container's) and `namespace`.
 * Other fields, `runtime` included (containerd leaves it out too), are absent.
 */
export function adaptTask(task: Task): FieldAdaptor {
  return ([head]) => {
    switch (head) {
      case 'id':
        return task.containerId;
      case 'namespace':
        return task.namespace;
      default:
        return undefined;
    }
  };
}
