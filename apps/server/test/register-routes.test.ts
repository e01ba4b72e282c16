import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from './test-app.ts';

describe.each(testDatabaseKinds())('register API on $name', (kind) => {
  let t: TestApp;
  const base = '/api/v1/organizations/reg-api/registers';
  beforeAll(async () => {
    t = await createTestApp(kind);
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/organizations',
      headers: auth,
      payload: { slug: 'reg-api', name: 'Register API Co.' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists every register with its articles and record count', async () => {
    const res = await t.app.inject({ method: 'GET', url: base, headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { registers: { register: string; count: number }[] };
    expect(body.registers.map((r) => r.register)).toContain('iot-devices');
    expect(body.registers.every((r) => r.count === 0)).toBe(true);
  });

  it('creates, reads, replaces at a revision and deletes an IoT device', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: `${base}/iot-devices`,
      headers: auth,
      payload: {
        name: 'Lobby camera',
        owner: 'General Affairs',
        kind: 'surveillance',
        publicAddress: true,
        frontFirewall: false,
      },
    });
    expect(created.statusCode).toBe(201);
    const rec = created.json() as { id: string; revision: number; publicAddress: boolean };
    expect(rec.publicAddress).toBe(true);

    const got = await t.app.inject({ method: 'GET', url: `${base}/iot-devices/${rec.id}`, headers: auth });
    expect(got.json()).toMatchObject({ id: rec.id, name: 'Lobby camera' });

    const put = await t.app.inject({
      method: 'PUT',
      url: `${base}/iot-devices/${rec.id}?revision=1`,
      headers: auth,
      payload: {
        name: 'Lobby camera',
        owner: 'General Affairs',
        kind: 'surveillance',
        publicAddress: true,
        frontFirewall: true,
        whitelistFiltering: true,
      },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ revision: 2, frontFirewall: true });

    const stale = await t.app.inject({
      method: 'PUT',
      url: `${base}/iot-devices/${rec.id}?revision=1`,
      headers: auth,
      payload: { name: 'Lobby camera', owner: 'General Affairs', kind: 'surveillance' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'CONFLICT' });

    const del = await t.app.inject({
      method: 'DELETE',
      url: `${base}/iot-devices/${rec.id}?revision=2`,
      headers: auth,
    });
    expect(del.statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: `${base}/iot-devices/${rec.id}`, headers: auth })).statusCode,
    ).toBe(404);
  });

  it('answers invalid fields with 400 and a path per problem', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${base}/mobile-devices`,
      headers: auth,
      payload: { name: 'Phone', owner: 'IT', ownership: 'rented', holder: 'A', osExaminedDate: '2026-02-30' },
    });
    expect(res.statusCode).toBe(400);
    const paths = (res.json() as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.ownership', 'body.osExaminedDate']));
  });

  it('pages and filters on the server', async () => {
    for (const ownership of ['byod', 'business', 'byod']) {
      await t.app.inject({
        method: 'POST',
        url: `${base}/mobile-devices`,
        headers: auth,
        payload: { name: `P-${ownership}`, owner: 'IT', ownership, holder: 'H' },
      });
    }
    const res = await t.app.inject({
      method: 'GET',
      url: `${base}/mobile-devices?filter=ownership:byod&limit=1`,
      headers: auth,
    });
    expect(res.json()).toMatchObject({ total: 2, limit: 1, records: [expect.objectContaining({ ownership: 'byod' })] });
  });

  it('answers an unknown register with 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${base}/spaceships`, headers: auth });
    expect(res.statusCode).toBe(404);
  });

  it('refuses register routes without the API token', async () => {
    expect((await t.app.inject({ method: 'GET', url: `${base}/iot-devices` })).statusCode).toBe(401);
  });
});
