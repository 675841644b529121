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
 *
 * With `-d`, as Podman's `run -d -i`: the daemon keeps the process's stdin open (and gives it a
 * terminal with `-t`) for `tasks attach` to type into later; nothing of ours is copied.
 */
export async function openStdinSessionFor(
  flags: Record<string, unknown>,
): Promise<StdinSession | undefined> {
  if (!flags.tty && !flags.interactive) return undefined;
  if (flags.detach) return detachedStdin(flags.tty === true);
  const { openStdinSession } = await import('./stdin-session.ts');
  return openStdinSession({ terminal: flags.tty === true });
}

/** The session of `-d -i` and `-d -t`: an open stdin held by the daemon, nothing to copy here. */
const detachedStdin = (terminal: boolean): StdinSession => ({
  io: { open_stdin: true, terminal },
  attach: () => undefined,
  close: () => undefined,
});
