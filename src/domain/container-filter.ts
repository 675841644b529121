import type { Container } from './container.ts';
import type { FieldAdaptor } from './filter.ts';

/**
 * containerd's container adaptor: `id`, `image`, `runtime.name`, `labels.KEY`, `snapshotter`,
 * `snapshot_key`. Unknown fields are absent.
 */
export function adaptContainer(c: Container): FieldAdaptor {
  return (path) => {
    const [head, ...rest] = path;
    switch (head) {
      case 'id':
        return c.id;
      case 'image':
        return c.image;
      case 'snapshot_key':
        return c.snapshotKey;
      case 'runtime':
        return rest.length === 1 && rest[0] === 'name' ? c.runtime.name : undefined;
      case 'labels':
        return rest.length === 0 ? undefined : c.labels[rest.join('.')];
      default:
        return undefined;
    }
  };
}
