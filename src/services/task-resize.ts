import { isTaskledgerError } from '../domain/errors.ts';
import * as decide from '../domain/task-decide.ts';
import { validateWindowSize } from '../domain/window-size.ts';
import { taskKey, type TaskContext } from './task-context.ts';

/**
 * Resizes the pseudo-terminal of a task's init process, or of one of its execs (`execId`). As
 * containerd's runc shim does, a process without a terminal, or one that is not running (an exec
 * not started yet, a process that exited, even one whose exit is not recorded yet), is left
 * alone without an error. No event: a window size is not task state.
 */
export async function resizeTaskTerminal(
  ctx: TaskContext,
  ns: string,
  id: string,
  execId: string | undefined,
  rawSize: { width?: unknown; height?: unknown },
): Promise<void> {
  const size = validateWindowSize(rawSize);
  const task = decide.requireTask(ctx.load(ns, id), ns, id);
  if (execId) {
    const exec = decide.requireExec(task, execId);
    if (!exec.io.terminal || exec.status !== 'running') return;
    const process = ctx.execHandles.get(`${taskKey(ns, id)}/${execId}`);
    if (process) await exitedIsNoError(process.resize(size));
    return;
  }
  if (!task.io.terminal || !['created', 'running', 'paused'].includes(task.status)) return;
  await exitedIsNoError((await ctx.handle(ns, id)).resize(size));
}

/** The runtime refuses to resize a process that has just exited; here that is no error. */
async function exitedIsNoError(resizing: Promise<void>): Promise<void> {
  try {
    await resizing;
  } catch (error) {
    if (!isTaskledgerError(error, 'FailedPrecondition')) throw error;
  }
}
