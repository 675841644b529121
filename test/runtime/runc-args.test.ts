import { describe, expect, it } from 'vitest';
import {
  runcDeleteArgs,
  runcKillArgs,
  runcListArgs,
  runcPauseArgs,
  runcPsArgs,
  runcResumeArgs,
  runcStartArgs,
  runcStateArgs,
  runcStatsArgs,
  runcUpdateArgs,
} from '../../src/runtime/runc-args.ts';

const root = '/var/lib/taskledger/runc/default';

describe('runc argv builders', () => {
  it('puts the private --root before every subcommand', () => {
    for (const args of [
      runcStateArgs(root, 'web'),
      runcListArgs(root),
      runcStartArgs(root, 'web'),
      runcKillArgs(root, 'web', 9, false),
      runcDeleteArgs(root, 'web', false),
      runcPauseArgs(root, 'web'),
      runcResumeArgs(root, 'web'),
      runcPsArgs(root, 'web'),
      runcStatsArgs(root, 'web'),
      runcUpdateArgs(root, 'web', '/tmp/r.json'),
    ]) {
      expect(args.slice(0, 2)).toEqual(['--root', root]);
    }
  });

  it('builds state, list, start, pause and resume', () => {
    expect(runcStateArgs(root, 'web')).toEqual(['--root', root, 'state', 'web']);
    expect(runcListArgs(root)).toEqual(['--root', root, 'list', '--format', 'json']);
    expect(runcStartArgs(root, 'web')).toEqual(['--root', root, 'start', 'web']);
    expect(runcPauseArgs(root, 'web')).toEqual(['--root', root, 'pause', 'web']);
    expect(runcResumeArgs(root, 'web')).toEqual(['--root', root, 'resume', 'web']);
  });

  it('passes the signal as a number, with --all before the id when asked', () => {
    expect(runcKillArgs(root, 'web', 15, false)).toEqual(['--root', root, 'kill', 'web', '15']);
    expect(runcKillArgs(root, 'web', 9, true)).toEqual([
      '--root',
      root,
      'kill',
      '--all',
      'web',
      '9',
    ]);
  });

  it('rejects signals runc cannot send', () => {
    for (const signal of [0, -1, 65, 1.5, Number.NaN]) {
      expect(() => runcKillArgs(root, 'web', signal, false)).toThrow(RangeError);
    }
  });

  it('adds --force to delete only when asked', () => {
    expect(runcDeleteArgs(root, 'web', false)).toEqual(['--root', root, 'delete', 'web']);
    expect(runcDeleteArgs(root, 'web', true)).toEqual(['--root', root, 'delete', '--force', 'web']);
  });

  it('asks ps for JSON and events for one stats sample', () => {
    expect(runcPsArgs(root, 'web')).toEqual(['--root', root, 'ps', '--format', 'json', 'web']);
    expect(runcStatsArgs(root, 'web')).toEqual(['--root', root, 'events', '--stats', 'web']);
  });

  it('hands update the resources file', () => {
    expect(runcUpdateArgs(root, 'web', '/b/r.json')).toEqual([
      '--root',
      root,
      'update',
      '--resources',
      '/b/r.json',
      'web',
    ]);
  });
});
