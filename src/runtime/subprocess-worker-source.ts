/**
 * Source of the worker thread that spawns, for the runtime, the commands the launcher shells
 * cannot take: one whose arguments a shell line cannot carry, and conmon with a sync pipe (see
 * subprocess-runner.ts for why a thread, launching-runner.ts for when). It is plain JavaScript
 * evaluated with `new Worker(source, { eval: true })`: a `.ts` worker file could not be loaded by
 * Node 20 under vitest or tsx, and the compiled build copies only `.ts`. It imports execa from
 * the absolute path the main thread resolved (`workerData.execaPath`).
 *
 * Messages in: `{ type: 'run', id, file, args, timeoutMs, cwd, env, syncPipe }` and
 * `{ type: 'cancel' }`. Out: `{ id, outcome }`, outcome being plain data (see
 * SubprocessOutcome). With `syncPipe`, fd 3 is a pipe whose first line (conmon's sync report)
 * is returned as `outcome.syncText`; the stream is then destroyed, because a daemonized conmon
 * keeps its end open for as long as it monitors an exec.
 */
export const subprocessWorkerSource = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { setMaxListeners } = require('node:events');

// One signal cancels every subprocess in flight, each adding a listener: many is normal.
function newCancel() {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
let cancel = newCancel();
const execaModule = import(pathToFileURL(workerData.execaPath).href);

function readFirstLine(stream, timeoutMs) {
  return new Promise((resolve) => {
    const chunks = [];
    const finish = () => {
      clearTimeout(timer);
      stream.off('data', onData).off('end', finish).off('close', finish).off('error', finish);
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk) => {
      chunks.push(chunk);
      if (chunk.includes(10)) finish();
    };
    const timer = setTimeout(finish, timeoutMs);
    stream.on('data', onData).on('end', finish).on('close', finish).on('error', finish);
  });
}

async function run(message) {
  const { execa } = await execaModule;
  const options = {
    timeout: message.timeoutMs,
    cancelSignal: cancel.signal,
    reject: false,
    stripFinalNewline: false,
    stdin: 'ignore',
  };
  if (message.cwd) options.cwd = message.cwd;
  if (message.env) options.env = message.env;
  if (message.syncPipe) {
    delete options.stdin;
    options.stdio = ['ignore', 'pipe', 'pipe', 'pipe'];
    options.buffer = { stdout: true, stderr: true, fd3: false };
  }
  const subprocess = execa(message.file, message.args, options);
  let syncText;
  if (message.syncPipe) {
    const pipe = subprocess.stdio[3];
    syncText = await readFirstLine(pipe, message.timeoutMs);
    pipe.destroy();
  }
  const result = await subprocess;
  return {
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    exitCode: result.exitCode,
    failed: Boolean(result.failed),
    timedOut: Boolean(result.timedOut),
    isCanceled: Boolean(result.isCanceled),
    code: typeof result.code === 'string' ? result.code : undefined,
    shortMessage: typeof result.shortMessage === 'string' ? result.shortMessage : '',
    syncText,
  };
}

parentPort.on('message', (message) => {
  if (message.type === 'cancel') {
    cancel.abort();
    cancel = newCancel();
    return;
  }
  run(message).then(
    (outcome) => parentPort.postMessage({ id: message.id, outcome }),
    (error) =>
      parentPort.postMessage({
        id: message.id,
        outcome: { stdout: '', stderr: '', failed: true, timedOut: false, isCanceled: false, shortMessage: String(error) },
      }),
  );
});
`;
