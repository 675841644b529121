import { describe, expect, it } from 'vitest';
import {
  autoRemovalOf,
  autoRemovalTrigger,
  autoRemoveLabel,
} from '../../src/domain/auto-remove.ts';
import {
  decideCreateContainer,
  evolveContainer,
  type Container,
} from '../../src/domain/container.ts';
import type { NewEvent, StoredEvent } from '../../src/domain/event-envelope.ts';
import * as decide from '../../src/domain/task-decide.ts';
import { evolveTask } from '../../src/domain/task-evolve.ts';
import type { Task } from '../../src/domain/task-state.ts';
import { given } from '../helpers/given-events.ts';

const containerWith = (labels: Record<string, string>): Container =>
  given(
    evolveContainer,
    decideCreateContainer(undefined, 'default', {
      id: 'web',
      labels,
      spec: { process: { args: ['true'] } },
      rootfs: '/srv/rootfs',
    }),
  )!;
const labelled = containerWith({ [autoRemoveLabel]: 'true' });

type Status = 'created' | 'running' | 'stopped' | 'deleting' | 'failed';

/** A task driven through its deciders to `status`. */
function taskIn(status: Status): Task {
  const task = drive(status);
  if (task.status !== status) throw new Error(`drove the task to ${task.status}, not ${status}`);
  return task;
}

function drive(status: Status): Task {
  const events: NewEvent[] = [];
  let task: Task | undefined;
  const step = (decided: NewEvent[]): void => {
    events.push(...decided);
    task = given(evolveTask, events);
  };
  const io = { stdin: '', stdout: '', stderr: '', terminal: false };
  step(decide.decideCreateIntent(undefined, 'default', 'web', io));
  if (status === 'failed') {
    step(decide.decideCreateFailed(task!, 'exec: "nope": not found'));
    return task!;
  }
  step(decide.decideCreated(task!, { pid: 42, bundle: '/b', rootfs: [] }));
  if (status === 'created') return task!;
  step(decide.decideStarted(task!, 42));
  if (status === 'running') return task!;
  step(
    decide.decideExit(task, {
      execId: 'web',
      pid: 42,
      status: 0,
      exitedAt: '2026-11-29T00:00:09Z',
    }),
  );
  if (status === 'deleting') step(decide.decideDeleteIntent(task!));
  return task!;
}

const stored = (topic: string, event: Record<string, unknown>): StoredEvent => ({
  seq: 1,
  streamId: 's',
  streamVersion: 1,
  namespace: 'team',
  topic,
  event,
  timestamp: '2026-11-29T00:00:00Z',
  correlationId: 'c',
  source: 's',
  hash: '',
});

describe('auto-removal decision', () => {
  it('removes a stopped task with its container', () => {
    const facts = { container: labelled, task: taskIn('stopped'), taskDeletedSinceCreate: false };
    expect(autoRemovalOf(facts)).toBe('task-and-container');
  });

  it('removes only the container after a failed create or a task already deleted', () => {
    expect(
      autoRemovalOf({ container: labelled, task: taskIn('failed'), taskDeletedSinceCreate: false }),
    ).toBe('container');
    expect(
      autoRemovalOf({ container: labelled, task: undefined, taskDeletedSinceCreate: true }),
    ).toBe('container');
  });

  it('leaves a container whose task is yet to come, still running or being deleted', () => {
    for (const task of [undefined, taskIn('created'), taskIn('running'), taskIn('deleting')])
      expect(autoRemovalOf({ container: labelled, task, taskDeletedSinceCreate: false })).toBe(
        undefined,
      );
  });

  it('needs the label with the value true', () => {
    for (const container of [containerWith({}), containerWith({ [autoRemoveLabel]: 'yes' })])
      expect(
        autoRemovalOf({ container, task: taskIn('stopped'), taskDeletedSinceCreate: true }),
      ).toBe(undefined);
    expect(
      autoRemovalOf({
        container: undefined,
        task: taskIn('stopped'),
        taskDeletedSinceCreate: true,
      }),
    ).toBe(undefined);
  });
});

describe('auto-removal triggers', () => {
  it('are the init process exit, a task delete, a failed create and a label change', () => {
    const id = { namespace: 'team', id: 'web' };
    expect(autoRemovalTrigger(stored('/tasks/exit', { container_id: 'web', id: 'web' }))).toEqual(
      id,
    );
    expect(autoRemovalTrigger(stored('/tasks/delete', { container_id: 'web', id: 'web' }))).toEqual(
      id,
    );
    expect(
      autoRemovalTrigger(stored('/taskledger/tasks/create-failed', { container_id: 'web' })),
    ).toEqual(id);
    expect(autoRemovalTrigger(stored('/containers/update', { id: 'web', labels: {} }))).toEqual(id);
  });

  it('are not an exec exit, a start or a container create', () => {
    expect(autoRemovalTrigger(stored('/tasks/exit', { container_id: 'web', id: 'x1' }))).toBe(
      undefined,
    );
    expect(autoRemovalTrigger(stored('/tasks/start', { container_id: 'web' }))).toBe(undefined);
    expect(autoRemovalTrigger(stored('/containers/create', { id: 'web' }))).toBe(undefined);
  });
});
