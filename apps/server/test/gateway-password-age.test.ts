import type { LoginStepResponse } from '@ntg/contracts';
import { testDatabaseKinds } from '@ntg/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createGatewayTestApp,
  currentCode,
  type EnrolledClient,
  enrolClient,
  type GatewayTestApp,
  goodPin,
  loginWithPinAndTotp,
  nextTimeStep,
  sessionToken,
} from './gateway-test-app.ts';

const dayMs = 86_400_000;

describe.each(testDatabaseKinds())('PIN age and change on $name (A37.6)', (kind) => {
  let t: GatewayTestApp;
  beforeAll(async () => {
    t = await createGatewayTestApp(kind, { config: { passwordMaxAgeDays: 90 } });
  });
  afterAll(async () => {
    await t.close();
  });

  async function complete(client: EnrolledClient, pin = goodPin) {
    nextTimeStep(t);
    const body = (await loginWithPinAndTotp(t, client, pin)).json() as LoginStepResponse;
    if (body.status !== 'complete') throw new Error(`login did not complete: ${JSON.stringify(body)}`);
    return body;
  }

  it('reminds one day after the limit and not one day before, and does not block the login', async () => {
    const start = t.clock.now();
    const client = await enrolClient(t, 'age-reminder');
    t.clock.set(new Date(start.getTime() + 89 * dayMs));
    expect((await complete(client)).reminders).toEqual([]);
    t.clock.set(new Date(start.getTime() + 91 * dayMs));
    const late = await complete(client);
    expect(late.session.token).toMatch(/^ntgs_/);
    expect(late.reminders).toEqual([
      expect.objectContaining({ type: 'password-age', credentialAgeDays: 91, maxAgeDays: 90 }),
    ]);
    const event = t.events.recorded.find(
      (e) => e.type === 'passwordAgeReminder' && e.event.accountId === client.accountId,
    );
    expect(event?.event).toMatchObject({ credentialAgeDays: 91, maxAgeDays: 90 });
  });

  it('lets the client change the PIN with the current one and a fresh second factor, which ends the reminder', async () => {
    const start = t.clock.now();
    const client = await enrolClient(t, 'age-change');
    t.clock.set(new Date(start.getTime() + 100 * dayMs));
    const { session } = await complete(client);
    const res = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/pin',
      headers: bearer(session.token),
      payload: { currentPin: goodPin, newPin: 'N3w-Trading-Pin' },
    });
    expect(res.statusCode).toBe(200);
    const entries = await t.services.stores.audit.search({
      organizationId: t.org.id,
      objectId: client.accountId,
      limit: 5,
    });
    expect(entries[0]).toMatchObject({
      action: 'identity.credential.change',
      actor: { type: 'client', id: client.accountId },
    });
    nextTimeStep(t);
    expect((await loginWithPinAndTotp(t, client, goodPin)).statusCode).toBe(401);
    expect((await complete(client, 'N3w-Trading-Pin')).reminders).toEqual([]);
  });

  it('demands a step-up when the second factor is older than five minutes, and accepts one', async () => {
    const client = await enrolClient(t, 'age-stepup');
    nextTimeStep(t);
    const token = await sessionToken(t, client);
    t.clock.advance(6 * 60_000);
    const change = () =>
      t.app.inject({
        method: 'POST',
        url: '/gateway/v1/pin',
        headers: bearer(token),
        payload: { currentPin: goodPin, newPin: 'Fresh-Factor-9' },
      });
    const refused = await change();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'STEP_UP_REQUIRED' });
    const challenge = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/step-up/challenge',
      headers: bearer(token),
    });
    const stepUp = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/step-up',
      headers: bearer(token),
      payload: {
        challengeId: (challenge.json() as { challengeId: string }).challengeId,
        factor: { method: 'totp', code: currentCode(t, client) },
      },
    });
    expect(stepUp.statusCode).toBe(200);
    expect((stepUp.json() as { authenticatedAt: { possession: string } }).authenticatedAt.possession).toBe(
      t.clock.now().toISOString(),
    );
    expect((await change()).statusCode).toBe(200);
  });

  it('refuses a new PIN equal to any of the last five, and a weak one', async () => {
    const client = await enrolClient(t, 'age-history');
    const pins = [goodPin, 'Second-Pin-22', 'Third-Pin-333', 'Fourth-Pin-44', 'Fifth-Pin-555'];
    let current = goodPin;
    for (const next of pins.slice(1)) {
      nextTimeStep(t);
      const token = await sessionLogin(client, current);
      const res = await t.app.inject({
        method: 'POST',
        url: '/gateway/v1/pin',
        headers: bearer(token),
        payload: { currentPin: current, newPin: next },
      });
      expect(res.statusCode).toBe(200);
      current = next;
    }
    nextTimeStep(t);
    const token = await sessionLogin(client, current);
    for (const old of pins) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/gateway/v1/pin',
        headers: bearer(token),
        payload: { currentPin: current, newPin: old },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'CREDENTIAL_REUSED' });
    }
    const weak = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/pin',
      headers: bearer(token),
      payload: { currentPin: current, newPin: '12345678' },
    });
    expect(weak.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    const sixth = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/pin',
      headers: bearer(token),
      payload: { currentPin: current, newPin: 'Sixth-Pin-6666' },
    });
    expect(sixth.statusCode).toBe(200);
    expect(await t.services.stores.identity.credentials.recent(client.accountId, 10)).toHaveLength(5);
  });

  it('counts a wrong current PIN at a PIN change toward the lockout', async () => {
    const client = await enrolClient(t, 'age-wrong-current');
    nextTimeStep(t);
    const token = await sessionToken(t, client);
    const res = await t.app.inject({
      method: 'POST',
      url: '/gateway/v1/pin',
      headers: bearer(token),
      payload: { currentPin: 'Wr0ng-Pin-123', newPin: 'N3w-Trading-Pin' },
    });
    expect(res.statusCode).toBe(401);
    expect((await t.gateway.accounts.view(client.accountId)).failedAttempts).toBe(1);
  });

  async function sessionLogin(client: EnrolledClient, pin: string) {
    const body = (await loginWithPinAndTotp(t, client, pin)).json() as LoginStepResponse;
    if (body.status !== 'complete') throw new Error('login did not complete');
    return body.session.token;
  }
});
