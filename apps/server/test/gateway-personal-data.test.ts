import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createGatewayTestApp, enrolClient, type GatewayTestApp } from './gateway-test-app.ts';

describe.each(testDatabaseKinds())('audit trail of personal data on $name (A38.1)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createGatewayTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  const uses = async (query: string) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/gateway/v1/admin/personal-data-uses?organizationId=${t.org.id}${query}`,
      headers: auth,
    });
    expect(res.statusCode).toBe(200);
    return res.json().uses as { clientAccountId: string; function: string; loginAccount: string; at: string }[];
  };

  it('threat: an operator browsing client accounts unseen — each look is recorded with who, what, when, system, query and result', async () => {
    const alice = await enrolClient(t, 'pd-alice');
    const bob = await enrolClient(t, 'pd-bob');
    t.clock.set('2026-06-15T02:00:00.000Z');
    await t.app.inject({ method: 'GET', url: `/gateway/v1/admin/accounts/${alice.accountId}`, headers: auth });
    t.clock.set('2026-06-16T02:00:00.000Z');
    await t.app.inject({ method: 'GET', url: `/gateway/v1/admin/accounts/${bob.accountId}`, headers: auth });

    const all = await uses('');
    expect(all.map((u) => u.clientAccountId)).toEqual([bob.accountId, alice.accountId]);
    expect(all[1]).toEqual({
      at: '2026-06-15T02:00:00.000Z',
      loginAccount: 'user:api-token',
      function: 'admin.account.view',
      system: 'NewTech Guard identity gateway',
      clientAccountId: alice.accountId,
      query: { accountId: alice.accountId },
      result: expect.stringMatching(/identifier, lock state and 2 enrolled factors shown/),
      auditSeq: expect.any(Number),
    });

    // By client, and by period.
    expect((await uses(`&account=${alice.accountId}`)).map((u) => u.at)).toEqual(['2026-06-15T02:00:00.000Z']);
    expect(
      (await uses('&from=2026-06-16T00:00:00%2B08:00&to=2026-06-17T00:00:00%2B08:00')).map((u) => u.clientAccountId),
    ).toEqual([bob.accountId]);

    // The uses sit in the hash chain: the chain still verifies.
    const verify = await t.services.audit.verify(t.services.stores.audit, t.org.id);
    expect(verify).toMatchObject({ ok: true, firstBroken: null });
  });

  it('exports the uses as CSV for an inspector, with formula-looking cells neutralized', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/gateway/v1/admin/personal-data-uses.csv?organizationId=${t.org.id}`,
      headers: auth,
    });
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('at,login_account,function,system,client_account,query,result,audit_seq');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('admin.account.view');
  });

  it('refuses a malformed query with 400 and asks for the token', async () => {
    const bad = await t.app.inject({
      method: 'GET',
      url: '/gateway/v1/admin/personal-data-uses?organizationId=nope',
      headers: auth,
    });
    expect(bad.statusCode).toBe(400);
    const anonymous = await t.app.inject({
      method: 'GET',
      url: `/gateway/v1/admin/personal-data-uses?organizationId=${t.org.id}`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
