import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/api/client.ts';
import { startDaemon } from '../../src/daemon/daemon.ts';
import { rawRequest, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.ts';

const spec = { process: { args: ['/bin/sh'] } };

describe('container API over the unix socket', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(async () => {
    await d.dispose();
  });

  it('creates the socket with mode 0600', () => {
    expect(statSync(d.address).mode & 0o777).toBe(0o600);
  });

  it('refuses a second daemon on the same root, naming the holder', async () => {
    await expect(
      startDaemon({
        root: d.root,
        state: `${d.state}2`,
        address: `${d.address}2`,
        log: () => undefined,
      }),
    ).rejects.toThrow(
      new RegExp(`root ${d.root} is in use by a taskledger daemon \\(pid ${process.pid}\\)`),
    );
  });

  it('creates, gets, lists with filters, labels and deletes containers', async () => {
    const c = d.client;
    await c.containers.create({
      id: 'web-1',
      spec,
      rootfs: '/srv/a',
      labels: { env: 'prod', 'com.example.team': 'infra' },
    });
    await c.containers.create({ id: 'web-2', spec, rootfs: '/srv/a', labels: { env: 'dev' } });
    await c.containers.create({
      id: 'db',
      spec,
      rootfs: '/srv/b',
      runtime: { name: 'io.containerd.runsc.v1' },
    });
    expect((await c.containers.get('web-1')).labels).toEqual({
      env: 'prod',
      'com.example.team': 'infra',
    });
    const ids = async (...filters: string[]) => (await c.containers.list(filters)).map((x) => x.id);
    expect(await ids()).toEqual(['db', 'web-1', 'web-2']);
    expect(await ids('id==db')).toEqual(['db']);
    expect(await ids('id~=^web-')).toEqual(['web-1', 'web-2']);
    expect(await ids('labels."com.example.team"==infra')).toEqual(['web-1']);
    expect(await ids('labels.env')).toEqual(['web-1', 'web-2']);
    expect(await ids('labels.env==dev', 'runtime.name==io.containerd.runsc.v1')).toEqual([
      'db',
      'web-2',
    ]);
    expect(await ids('id~=^web-,labels.env==prod')).toEqual(['web-1']);
    const labelled = await c.containers.update('web-2', {
      labels: { env: '', tier: 'fe' },
      update_mask: ['labels.env', 'labels.tier'],
    });
    expect(labelled.labels).toEqual({ tier: 'fe' });
    expect(labelled.updated_at > labelled.created_at).toBe(true);
    await c.containers.delete('web-2');
    await expect(c.containers.get('web-2')).rejects.toMatchObject({ code: 'NotFound' });
    const topics = await new Promise<string[]>((resolve, reject) => {
      const seen: string[] = [];
      c.events({ filters: ['event.id==web-2'] }).subscribe({
        next: (e) => seen.push(e.topic),
        error: reject,
        complete: () => resolve(seen),
      });
    });
    expect(topics).toEqual(['/containers/create', '/containers/update', '/containers/delete']);
  });

  it('keeps namespaces apart', async () => {
    const other = d.client.withNamespace('other');
    await other.containers.create({ id: 'db', spec, rootfs: '/srv/other' });
    expect((await other.containers.get('db')).rootfs).toBe('/srv/other');
    expect((await d.client.containers.get('db')).rootfs).toBe('/srv/b');
    expect((await other.containers.list()).map((x) => x.id)).toEqual(['db']);
  });

  it('answers AlreadyExists to all but one of many concurrent creates of one id', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        d.client.containers.create({ id: 'race', spec, rootfs: '/srv/a' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect(r.reason).toMatchObject({ code: 'AlreadyExists' });
    }
  });

  it('loses no label under concurrent updates', async () => {
    await d.client.containers.create({ id: 'labels', spec, rootfs: '/srv/a' });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        d.client.containers.update('labels', {
          labels: { [`k${i}`]: String(i) },
          update_mask: [`labels.k${i}`],
        }),
      ),
    );
    expect(Object.keys((await d.client.containers.get('labels')).labels)).toHaveLength(30);
  });

  describe('bad input', () => {
    const expectError = async (
      res: Promise<{ status: number; body: string }>,
      status: number,
      code: string,
      message: RegExp,
    ) => {
      const r = await res;
      expect(r.status).toBe(status);
      const body = JSON.parse(r.body) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(message);
    };

    it('answers malformed JSON with InvalidArgument', async () => {
      await expectError(
        rawRequest(d.address, 'POST', '/v1/containers', '{"id": "x",'),
        400,
        'InvalidArgument',
        /request body is not valid JSON/,
      );
    });

    it('answers wrong types with InvalidArgument naming the field', async () => {
      await expectError(
        rawRequest(
          d.address,
          'POST',
          '/v1/containers',
          JSON.stringify({ id: 5, spec, rootfs: '/x' }),
        ),
        400,
        'InvalidArgument',
        /container id must be a non-empty string/,
      );
      await expectError(
        rawRequest(
          d.address,
          'POST',
          '/v1/containers',
          JSON.stringify({ id: 'x', spec, rootfs: '/x', labels: 'a=b' }),
        ),
        400,
        'InvalidArgument',
        /labels must be an object/,
      );
      await expectError(
        rawRequest(d.address, 'POST', '/v1/containers', JSON.stringify([1, 2])),
        400,
        'InvalidArgument',
        /must be a JSON object/,
      );
      await expectError(
        rawRequest(d.address, 'POST', '/v1/containers', JSON.stringify({ id: 'x', rootfs: '/x' })),
        400,
        'InvalidArgument',
        /spec must be a JSON object/,
      );
      await expectError(
        rawRequest(
          d.address,
          'PATCH',
          '/v1/containers/db',
          JSON.stringify({ update_mask: 'labels' }),
        ),
        400,
        'InvalidArgument',
        /update_mask" must be an array/,
      );
      for (const path of ['/v1/containers/db', '/v1/namespaces/team'])
        await expectError(
          rawRequest(d.address, 'PATCH', path, JSON.stringify({ update_mask: ['labels.a', 7] })),
          400,
          'InvalidArgument',
          /^field "update_mask" must be an array of strings$/,
        );
    });

    it('refuses a huge body without reading it all', async () => {
      const huge = Buffer.alloc(3 * 1024 * 1024, 'a');
      await expectError(
        rawRequest(d.address, 'POST', '/v1/containers', huge),
        400,
        'InvalidArgument',
        /exceeds the 1048576-byte limit/,
      );
    });

    it('answers unknown routes with NotFound and wrong methods with InvalidArgument', async () => {
      await expectError(
        rawRequest(d.address, 'GET', '/v1/nope'),
        404,
        'NotFound',
        /no such endpoint: GET \/v1\/nope/,
      );
      await expectError(
        rawRequest(d.address, 'PUT', '/v1/containers'),
        400,
        'InvalidArgument',
        /method PUT not allowed/,
      );
    });

    it('refuses a path trick in the namespace or id', async () => {
      await expectError(
        rawRequest(d.address, 'GET', '/v1/containers', undefined, {
          'x-taskledger-namespace': '../etc',
        }),
        400,
        'InvalidArgument',
        /namespace "..\/etc" is invalid/,
      );
      await expectError(
        rawRequest(d.address, 'GET', '/v1/containers/..%2Fetc'),
        400,
        'InvalidArgument',
        /container id "..\/etc" is invalid/,
      );
    });

    it('is still serving after all of that', async () => {
      expect((await connect(d.address).version()).pid).toBe(process.pid);
      expect(d.logs.filter((l) => l.startsWith('internal error'))).toEqual([]);
    });
  });
});
