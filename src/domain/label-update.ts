import { validateLabel, validateLabels } from './identifiers.ts';

/**
 * Applies one update-mask path about labels to `labels`, in place, as containerd's stores do:
 * `labels` replaces them all with `requested`; `labels.KEY` sets KEY to `requested[KEY]`, or
 * removes it when that is missing or empty. Returns false for a path about something else.
 */
export function applyLabelPath(
  labels: Record<string, string>,
  path: string,
  requested: unknown,
): boolean {
  if (path === 'labels') {
    for (const key of Object.keys(labels)) delete labels[key];
    Object.assign(labels, validateLabels(requested));
    return true;
  }
  if (!path.startsWith('labels.')) return false;
  const key = path.slice('labels.'.length);
  const value = (requested as Record<string, unknown> | undefined | null)?.[key];
  if (value === undefined || value === '') {
    delete labels[key];
  } else {
    validateLabel(key, value);
    labels[key] = value as string;
  }
  return true;
}
