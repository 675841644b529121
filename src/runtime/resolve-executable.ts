import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { unavailable } from '../domain/errors.ts';

// runc lives in /usr/sbin on Debian, which a non-login PATH often lacks.
const fallbackDirs = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

/**
 * The absolute path of an executable given as a path or a bare name (searched in PATH, then the
 * usual system directories). conmon `execv`s its runtime, so it needs a path, not a name.
 * Throws Unavailable when there is none.
 */
export async function resolveExecutable(nameOrPath: string): Promise<string> {
  const candidates = nameOrPath.includes('/')
    ? [path.resolve(nameOrPath)]
    : [...(process.env.PATH ?? '').split(':').filter((dir) => dir !== ''), ...fallbackDirs].map(
        (dir) => path.join(dir, nameOrPath),
      );
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw unavailable(`${nameOrPath} not found (run scripts/ensure-system-deps.sh)`);
}
