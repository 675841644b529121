import { parseArgs, usageError } from './args.ts';
import type { CliContext } from './context.ts';

/**
 * `taskledger daemon [--root DIR] [--state DIR] [--address SOCK] [--grpc-address SOCK]
 * [--standby-monitors N]`: runs until SIGTERM/SIGINT; `--grpc-address` also serves containerd's
 * gRPC API there (for `ctr`); `--standby-monitors` sets how many monitors are kept started
 * ahead of creates (default 1, 0 for none).
 */
export async function daemonCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, {
    flags: {
      root: 'string',
      state: 'string',
      address: 'string',
      'grpc-address': 'string',
      'standby-monitors': 'string',
    },
  });
  const standby = flags['standby-monitors'] as string | undefined;
  if (standby !== undefined && !/^\d{1,2}$/.test(standby))
    throw usageError(`--standby-monitors must be a number from 0 to 99, got "${standby}"`);
  // Loaded here, not at the top: the CLI's other commands never pay for the daemon's code.
  const { startDaemon } = await import('../daemon/daemon.ts');
  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const daemon = await startDaemon({
    root: (flags.root as string | undefined) ?? '/var/lib/taskledger',
    state: (flags.state as string | undefined) ?? '/run/taskledger',
    address: (flags.address as string | undefined) ?? ctx.address,
    grpcAddress: flags['grpc-address'] as string | undefined,
    standbyMonitors: standby === undefined ? undefined : Number(standby),
    log,
  });
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string): void => {
      log(`received ${signal}, shutting down`);
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await daemon.stop();
  return 0;
}
