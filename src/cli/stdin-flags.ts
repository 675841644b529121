import { usageError } from './args.ts';
import type { StdinSession } from './stdin-session.ts';

/** The flags of `run` and `tasks exec` that give the process our stdin. */
export const stdinFlags = {
  flags: { interactive: 'boolean', tty: 'boolean', detach: 'boolean' },
  short: { i: 'interactive', t: 'tty', d: 'detach' },
} as const;

/**
 * The session `-i` (our stdin, to its end) or `-t` (a terminal, which implies `-i`) ask for, or
 * none. Checked before anything is created, so a refusal leaves nothing to undo; loaded only
 * for these flags, so that every other command pays nothing for it at start-up.
 */
export async function openStdinSessionFor(
  flags: Record<string, unknown>,
): Promise<StdinSession | undefined> {
  if (flags.detach && (flags.tty || flags.interactive))
    throw usageError(`${flags.tty ? '-t' : '-i'} and -d cannot be combined: nobody would type`);
  if (!flags.tty && !flags.interactive) return undefined;
  const { openStdinSession } = await import('./stdin-session.ts');
  return openStdinSession({ terminal: flags.tty === true });
}
