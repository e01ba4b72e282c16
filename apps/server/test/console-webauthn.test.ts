import { totpCodeForSecret } from '@ntg/core';
import { testDatabaseKinds } from '@ntg/db/testing';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@ntg/test-kit';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './test-app.ts';

const origin = 'http://localhost:8080';
const strongPassword = 'Tamsui river at dusk 2026!';

class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: LightMyRequestResponse): this {
    for (const c of res.cookies) {
      if (c.maxAge === 0 || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return this;
  }
  header(): Record<string, string> {
    const value = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return value === '' ? {} : { cookie: value };
  }
}

describe.each(testDatabaseKinds())('console security keys on $name (issue 6, A37.5)', (kind) => {
  let t: TestApp;
  let admin: { jar: Jar; csrf: string; id: string; key: SoftwareAuthenticator };
  const email = 'officer@taipei-sec.com.tw';

  const call = (jar: Jar, url: string, payload?: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: url === '/api/v1/session' && payload === undefined ? 'GET' : 'POST',
      url,
      headers: { ...jar.header(), ...headers },
      ...(payload === undefined ? {} : { payload }),
    });

  async function options(jar: Jar, url: string, headers: Record<string, string> = {}) {
    const res = await t.app.inject({ method: 'POST', url, headers: { ...jar.header(), ...headers } });
    expect(res.statusCode).toBe(200);
    return (res.json() as { options: Record<string, unknown> }).options;
  }

  async function passwordStep(address = email, password = strongPassword) {
    const jar = new Jar();
    const res = await call(jar, '/api/v1/session', { email: address, password });
    jar.take(res);
    return { jar, res };
  }

  async function assertionStep(jar: Jar, key: SoftwareAuthenticator, overrides = {}) {
    const opts = await options(jar, '/api/v1/session/webauthn/options');
    const response = key.assert(opts, { origin, ...overrides });
    const res = await call(jar, '/api/v1/session/second-factor', { method: 'webauthn', response });
    jar.take(res);
    return { res, response };
  }

  const installation = (action: string, objectId: string) =>
    t.services.stores.audit.search({ organizationId: 'installation', action, objectId, limit: 50 });

  const user = async (id: string) => t.services.stores.console.users.findById(id);

  beforeAll(async () => {
    t = await createTestApp(kind, {
      consoleWebauthn: { rpId: 'localhost', rpName: 'NewTech Guard', origins: [origin], synced: 'refuse' },
    });
    const link = await t.consoleAuth.createSetupLink({ actor: { type: 'system', id: 'first-run' }, source: null });
    const jar = new Jar();
    const created = await call(jar, `/api/v1/setup/${link.path.split('/').pop()}`, {
      email,
      displayName: 'Chen Mei-ling',
      password: strongPassword,
    });
    expect(created.json()).toEqual({ step: 'enrol-second-factor' });
    jar.take(created);
    const key = createSoftwareAuthenticator();
    const opts = await options(jar, '/api/v1/session/enrolment/webauthn/options');
    expect(opts).toMatchObject({ rp: { id: 'localhost' }, user: { name: email } });
    const done = await call(jar, '/api/v1/session/enrolment/webauthn/verify', {
      response: key.register(opts, { origin }),
      label: 'YubiKey',
    });
    expect(done.statusCode).toBe(200);
    jar.take(done);
    admin = { jar, csrf: done.json().csrfToken, id: done.json().user.id, key };
  });
  afterAll(async () => {
    await t.close();
  });

  it('enrols a security key as the first second factor while signing in, audited in the installation chain', async () => {
    const session = await call(admin.jar, '/api/v1/session');
    expect(session.json()).toMatchObject({ user: { secondFactors: ['webauthn'] } });
    const [enrol] = await installation('console.second-factor.enrol', admin.id);
    expect(enrol?.details).toMatchObject({ method: 'webauthn', aaguid: admin.key.aaguid, synced: false });
  });

  it('signs in with password and security key, and audits the methods', async () => {
    const { jar, res } = await passwordStep();
    expect(res.json()).toEqual({ step: 'second-factor', methods: ['webauthn'] });
    const { res: done } = await assertionStep(jar, admin.key);
    expect(done.statusCode).toBe(200);
    expect((await call(jar, '/api/v1/session')).statusCode).toBe(200);
    const entries = await installation('console.sign-in', admin.id);
    expect(
      entries.some((e) => JSON.stringify(e.details) === JSON.stringify({ methods: ['password', 'webauthn'] })),
    ).toBe(true);
    expect((await user(admin.id))?.failedAttempts).toBe(0);
  });

  it('refuses a replayed assertion: its challenge was spent by the first sign-in', async () => {
    const first = await passwordStep();
    const { response } = await assertionStep(first.jar, admin.key);
    const second = await passwordStep();
    await options(second.jar, '/api/v1/session/webauthn/options');
    const replay = await call(second.jar, '/api/v1/session/second-factor', { method: 'webauthn', response });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
    expect((await user(admin.id))?.failedAttempts).toBe(1);
    // A good sign-in resets the count.
    expect((await assertionStep(second.jar, admin.key)).res.statusCode).toBe(200);
    expect((await user(admin.id))?.failedAttempts).toBe(0);
  });

  it('refuses an assertion for another RP ID or from another origin', async () => {
    for (const overrides of [{ rpId: 'localhost.evil' }, { origin: 'https://console.example.net' }]) {
      const { jar } = await passwordStep();
      expect((await assertionStep(jar, admin.key, overrides)).res.statusCode).toBe(401);
    }
    const { jar } = await passwordStep();
    expect((await assertionStep(jar, admin.key)).res.statusCode).toBe(200);
  });

  it('adds a security key beside TOTP for a signed-in user, only with the CSRF token', async () => {
    const invited = await call(
      admin.jar,
      '/api/v1/users',
      { email: 'auditor@taipei-sec.com.tw', displayName: 'Lin', role: 'auditor' },
      { 'x-csrf-token': admin.csrf },
    );
    expect(invited.statusCode).toBe(201);
    const jar = new Jar();
    const accepted = await call(jar, `/api/v1/invitations/${invited.json().invitationPath.split('/').pop()}`, {
      password: strongPassword,
    });
    jar.take(accepted);
    const { secret } = (await call(jar, '/api/v1/session/enrolment/totp', {})).json();
    t.clock.advance(30_000);
    const done = await call(jar, '/api/v1/session/enrolment/totp/confirm', {
      code: totpCodeForSecret(secret, t.clock.now()),
    });
    jar.take(done);
    const csrf = done.json().csrfToken as string;
    const withoutCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/session/enrolment/webauthn/options',
      headers: jar.header(),
    });
    expect(withoutCsrf.statusCode).toBe(403);
    const key = createSoftwareAuthenticator();
    const opts = await options(jar, '/api/v1/session/enrolment/webauthn/options', { 'x-csrf-token': csrf });
    const added = await call(
      jar,
      '/api/v1/session/enrolment/webauthn/verify',
      { response: key.register(opts, { origin }) },
      { 'x-csrf-token': csrf },
    );
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ user: { secondFactors: ['totp', 'webauthn'] } });
    const signIn = await passwordStep('auditor@taipei-sec.com.tw');
    expect(signIn.res.json()).toEqual({ step: 'second-factor', methods: ['totp', 'webauthn'] });
    expect((await assertionStep(signIn.jar, key)).res.statusCode).toBe(200);
  });

  it('refuses a synced passkey when the console policy refuses synced passkeys, without counting an attempt', async () => {
    const opts = await options(admin.jar, '/api/v1/session/enrolment/webauthn/options', { 'x-csrf-token': admin.csrf });
    const res = await call(
      admin.jar,
      '/api/v1/session/enrolment/webauthn/verify',
      { response: createSoftwareAuthenticator({ synced: true }).register(opts, { origin }) },
      { 'x-csrf-token': admin.csrf },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'WEBAUTHN_REFUSED', requestId: expect.any(String) });
    expect((await user(admin.id))?.failedAttempts).toBe(0);
  });

  it('suspends a cloned key whose counter went backwards and audits it', async () => {
    const invited = await call(
      admin.jar,
      '/api/v1/users',
      { email: 'clone@taipei-sec.com.tw', displayName: 'Wu', role: 'auditor' },
      { 'x-csrf-token': admin.csrf },
    );
    const jar = new Jar();
    jar.take(
      await call(jar, `/api/v1/invitations/${invited.json().invitationPath.split('/').pop()}`, {
        password: strongPassword,
      }),
    );
    const key = createSoftwareAuthenticator();
    const opts = await options(jar, '/api/v1/session/enrolment/webauthn/options');
    const done = await call(jar, '/api/v1/session/enrolment/webauthn/verify', {
      response: key.register(opts, { origin }),
    });
    const id = done.json().user.id as string;
    const clone = key.clone();
    expect((await assertionStep((await passwordStep('clone@taipei-sec.com.tw')).jar, key)).res.statusCode).toBe(200);
    expect((await assertionStep((await passwordStep('clone@taipei-sec.com.tw')).jar, clone)).res.statusCode).toBe(401);
    const [entry] = await installation('console.webauthn.suspend', id);
    expect(entry).toMatchObject({ outcome: 'failure', details: { reason: 'counter-regression' } });
    const again = await passwordStep('clone@taipei-sec.com.tw');
    expect(again.res.json()).toEqual({ step: 'enrol-second-factor' });
  });

  it('locks on the third failed security key attempt, and a locked user’s correct assertion is refused', async () => {
    const invited = await call(
      admin.jar,
      '/api/v1/users',
      { email: 'lock@taipei-sec.com.tw', displayName: 'Huang', role: 'auditor' },
      { 'x-csrf-token': admin.csrf },
    );
    const jar = new Jar();
    jar.take(
      await call(jar, `/api/v1/invitations/${invited.json().invitationPath.split('/').pop()}`, {
        password: strongPassword,
      }),
    );
    const key = createSoftwareAuthenticator();
    const opts = await options(jar, '/api/v1/session/enrolment/webauthn/options');
    const id = (
      await call(jar, '/api/v1/session/enrolment/webauthn/verify', { response: key.register(opts, { origin }) })
    ).json().user.id as string;
    // A sign-in waiting at its second step, with options already issued.
    const waiting = await passwordStep('lock@taipei-sec.com.tw');
    const waitingOptions = await options(waiting.jar, '/api/v1/session/webauthn/options');
    for (let i = 1; i <= 3; i++) {
      const { jar: attacker } = await passwordStep('lock@taipei-sec.com.tw');
      const { res } = await assertionStep(attacker, key, { origin: 'https://phish.example.net' });
      expect(res.statusCode).toBe(401);
      expect((await user(id))?.lockedAt === null).toBe(i < 3);
    }
    expect(await installation('console.user.lock', id)).toHaveLength(1);
    const before = await t.services.stores.webauthn.credentials.listForSubject('console-user', id);
    const correct = await call(waiting.jar, '/api/v1/session/second-factor', {
      method: 'webauthn',
      response: key.assert(waitingOptions, { origin }),
    });
    expect(correct.statusCode).toBe(401);
    expect(correct.json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
    expect(await t.services.stores.webauthn.credentials.listForSubject('console-user', id)).toEqual(before);
    expect((await passwordStep('lock@taipei-sec.com.tw')).res.statusCode).toBe(401);
  });
});
