import { describe, expect, it } from 'vitest';
import { conmonCreateArgs, conmonExecArgs } from '../../src/runtime/conmon-args.ts';
import { createRuntimeLayout } from '../../src/runtime/runtime-layout.ts';

const layout = createRuntimeLayout('/state');
const task = layout.task('default', 'web');

/** The value following `flag` in `args`. */
const valueOf = (args: string[], flag: string): string | undefined => args[args.indexOf(flag) + 1];

describe('conmon argv builders', () => {
  const create = conmonCreateArgs({
    runcBinary: '/usr/sbin/runc',
    runcRoot: layout.runcRoot('default'),
    containerId: 'web',
    bundle: task.bundle,
    process: task.init,
    socketDir: layout.socketDir,
  });

  it('speaks sync-pipe API version 1 and names the container, runtime and bundle', () => {
    expect(create.slice(0, 2)).toEqual(['--api-version', '1']);
    expect(valueOf(create, '-c')).toBe('web');
    expect(valueOf(create, '-r')).toBe('/usr/sbin/runc');
    expect(valueOf(create, '-b')).toBe('/state/bundles/default/web');
  });

  it('puts pid files, the k8s-file log and the persist dir in the monitor directory', () => {
    expect(valueOf(create, '-p')).toBe('/state/bundles/default/web/init/pid');
    expect(valueOf(create, '-P')).toBe('/state/bundles/default/web/init/conmon.pid');
    expect(valueOf(create, '-l')).toBe('k8s-file:/state/bundles/default/web/init/log');
    expect(valueOf(create, '--persist-dir')).toBe('/state/bundles/default/web/init');
    expect(valueOf(create, '--socket-dir-path')).toBe('/state/sockets');
  });

  it('passes the private runc root through --runtime-arg', () => {
    expect(create.join(' ')).toContain('--runtime-arg --root --runtime-arg /state/runc/default');
  });

  it('stays in the background and uses a short monitor id for the attach socket', () => {
    expect(create).not.toContain('--sync');
    expect(valueOf(create, '-u')).toMatch(/^[0-9a-f]{24}$/);
    expect(create).not.toContain('--exec');
  });

  it('runs an exec with its process spec and its own monitor directory', () => {
    const exec = task.exec('sh-1');
    const args = conmonExecArgs({
      runcBinary: '/usr/sbin/runc',
      runcRoot: layout.runcRoot('default'),
      containerId: 'web',
      bundle: exec.dir,
      process: exec,
      socketDir: layout.socketDir,
    });
    expect(valueOf(args, '-c')).toBe('web');
    expect(args).toContain('--exec');
    expect(valueOf(args, '--exec-process-spec')).toBe(
      '/state/bundles/default/web/execs/sh-1/process.json',
    );
    expect(valueOf(args, '-p')).toBe('/state/bundles/default/web/execs/sh-1/pid');
    expect(valueOf(args, '--persist-dir')).toBe('/state/bundles/default/web/execs/sh-1');
    expect(valueOf(args, '-u')).not.toBe(valueOf(create, '-u'));
  });

  // The init's and an exec's argv with one option flipped on.
  const withOption = (option: { stdin: true } | { terminal: true }) => {
    const options = {
      runcBinary: '/usr/sbin/runc',
      runcRoot: layout.runcRoot('default'),
      containerId: 'web',
      socketDir: layout.socketDir,
      ...option,
    };
    const exec = task.exec('sh-1');
    return {
      init: conmonCreateArgs({ ...options, bundle: task.bundle, process: task.init }),
      exec: conmonExecArgs({ ...options, bundle: exec.dir, process: exec }),
    };
  };

  it('asks conmon for a stdin pipe only when the process is given stdin', () => {
    expect(create).not.toContain('--stdin');
    const { init, exec } = withOption({ stdin: true });
    expect(init).toContain('--stdin');
    expect(exec).toContain('--stdin');
    expect(init).not.toContain('--terminal');
  });

  it('asks conmon for a terminal only when the process has one', () => {
    expect(create).not.toContain('--terminal');
    const { init, exec } = withOption({ terminal: true });
    expect(init).toContain('--terminal');
    expect(exec).toContain('--terminal');
    expect(init).not.toContain('--stdin');
  });
});
