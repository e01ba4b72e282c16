import { totpCodeForSecret } from '@ntg/core';
import { testDatabaseKinds } from '@ntg/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, createTestApp, type TestApp } from './test-app.ts';

/** A browser's cookie jar, as far as these tests need one. */
class Jar {
  private readonly cookies = new Map<string, string>();

  take(res: LightMyRequestResponse): this {
    for (const c of res.cookies) {
      if (c.maxAge === 0 || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): Record<string, string> {
    const value = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return value === '' ? {} : { cookie: value };
  }
}

interface Person {
  jar: Jar;
  csrf: string;
  secret: string;
  email: string;
  password: string;
  id: string;
}

const strongPassword = 'Tamsui river at dusk 2026!';

describe.each(testDatabaseKinds())('console sign-in on $name', (kind) => {
  let t: TestApp;
  let admin: Person;
  let orgId = '';

  const call = (
    jar: Jar,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method,
      url,
      headers: { ...jar.header(), ...headers },
      ...(payload === undefined ? {} : { payload }),
    });

  /** A new code for the secret: the clock moves one TOTP step on, since each step is accepted once. */
  const nextCode = (secret: string) => {
    t.clock.advance(30_000);
    return totpCodeForSecret(secret, t.clock.now());
  };

  async function enrolAndSignIn(jar: Jar, email: string, password: string): Promise<Omit<Person, 'id'>> {
    const secretRes = await call(jar, 'POST', '/api/v1/session/enrolment/totp');
    expect(secretRes.statusCode).toBe(200);
    const { secret, otpauthUri } = secretRes.json();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const done = await call(jar, 'POST', '/api/v1/session/enrolment/totp/confirm', { code: nextCode(secret) });
    expect(done.statusCode).toBe(200);
    jar.take(done);
    return { jar, csrf: done.json().csrfToken, secret, email, password };
  }

  async function passwordStep(email: string, password: string) {
    const jar = new Jar();
    const res = await call(jar, 'POST', '/api/v1/session', { email, password });
    jar.take(res);
    return { jar, res };
  }

  async function signIn(person: Pick<Person, 'email' | 'password' | 'secret'>): Promise<{ jar: Jar; csrf: string }> {
    const { jar, res } = await passwordStep(person.email, person.password);
    expect(res.json()).toEqual({ step: 'second-factor', methods: ['totp'] });
    const done = await call(jar, 'POST', '/api/v1/session/second-factor', {
      method: 'totp',
      code: nextCode(person.secret),
    });
    expect(done.statusCode).toBe(200);
    jar.take(done);
    return { jar, csrf: done.json().csrfToken };
  }

  async function invite(role: string, extra: Record<string, unknown> = {}): Promise<Person> {
    const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com.tw`;
    const created = await call(
      admin.jar,
      'POST',
      '/api/v1/users',
      { email, displayName: `A ${role}`, role, organizations: [orgId], ...extra },
      { 'x-csrf-token': admin.csrf },
    );
    expect(created.statusCode).toBe(201);
    const { invitationPath, user } = created.json();
    const jar = new Jar();
    const accepted = await call(jar, 'POST', `/api/v1/invitations/${invitationPath.split('/').pop()}`, {
      password: strongPassword,
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toEqual({ step: 'enrol-second-factor' });
    jar.take(accepted);
    return { ...(await enrolAndSignIn(jar, email, strongPassword)), id: user.id };
  }

  beforeAll(async () => {
    t = await createTestApp(kind, { trustProxy: true });
    const org = await t.services.organizations.create(
      { actor: { type: 'user', id: 'test' }, source: null },
      { slug: 'taipei-sec', name: 'Taipei Securities' },
    );
    orgId = org.id;
    await t.services.organizations.create(
      { actor: { type: 'user', id: 'test' }, source: null },
      { slug: 'other-firm', name: 'Other Firm' },
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('threat: a default account — none exists; the first administrator comes only from the one-time setup link', async () => {
    const defaults: [string, string][] = [
      ['admin@example.com.tw', 'admin'],
      ['admin@example.com', 'administrator'],
    ];
    for (const [email, password] of defaults) {
      const { res } = await passwordStep(email, password);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('SIGN_IN_FAILED');
    }
    const link = await t.consoleAuth.createSetupLink({ actor: { type: 'system', id: 'first-run' }, source: null });
    const token = link.path.split('/').pop() ?? '';
    expect((await call(new Jar(), 'GET', `/api/v1/setup/${token}`)).json()).toMatchObject({ valid: true });

    const weak = await call(new Jar(), 'POST', `/api/v1/setup/${token}`, {
      email: 'officer@taipei-sec.com.tw',
      displayName: 'Chen Mei-ling',
      password: 'password12345',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'VALIDATION_FAILED', issues: [{ path: 'password' }] });

    const jar = new Jar();
    const created = await call(jar, 'POST', `/api/v1/setup/${token}`, {
      email: 'Officer@Taipei-Sec.com.tw',
      displayName: 'Chen Mei-ling',
      password: strongPassword,
      locale: 'zh-TW',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ step: 'enrol-second-factor' });
    jar.take(created);
    const pendingCookie = created.cookies.find((c) => c.name === 'ntg_pending');
    expect(pendingCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });

    // Password alone is not a session: the console holds itself to the two-factor rule.
    expect((await call(jar, 'GET', '/api/v1/session')).statusCode).toBe(401);
    expect((await call(jar, 'GET', '/api/v1/organizations')).statusCode).toBe(401);

    const person = await enrolAndSignIn(jar, 'officer@taipei-sec.com.tw', strongPassword);
    const session = await call(jar, 'GET', '/api/v1/session');
    expect(session.json()).toMatchObject({
      user: { role: 'administrator', email: 'officer@taipei-sec.com.tw', locale: 'zh-TW', secondFactors: ['totp'] },
      csrfToken: person.csrf,
    });
    admin = { ...person, id: session.json().user.id };
  });

  it('threat: a setup link replayed — it is spent by the first administrator, and no new one is issued after', async () => {
    const replay = await call(new Jar(), 'GET', '/api/v1/setup/ntgc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(replay.json().code).toBe('SETUP_LINK_INVALID');
    await expect(
      t.consoleAuth.createSetupLink({ actor: { type: 'system', id: 'first-run' }, source: null }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, and Secure behind a TLS-terminating proxy', async () => {
    const { jar } = await passwordStep(admin.email, admin.password);
    const done = await call(
      jar,
      'POST',
      '/api/v1/session/second-factor',
      { method: 'totp', code: nextCode(admin.secret) },
      { 'x-forwarded-proto': 'https' },
    );
    expect(done.cookies.find((c) => c.name === 'ntg_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      secure: true,
    });
  });

  it('threat: session fixation — the pending token never works as a session, and signing in issues a new one', async () => {
    const { jar } = await passwordStep(admin.email, admin.password);
    const pending = jar.get('ntg_pending');
    expect(pending).toBeDefined();
    const forged = await t.app.inject({
      method: 'GET',
      url: '/api/v1/organizations',
      headers: { cookie: `ntg_session=${pending}` },
    });
    expect(forged.statusCode).toBe(401);
    const done = await call(jar, 'POST', '/api/v1/session/second-factor', {
      method: 'totp',
      code: nextCode(admin.secret),
    });
    jar.take(done);
    expect(jar.get('ntg_session')).not.toBe(pending);
    expect(jar.get('ntg_pending')).toBeUndefined();
  });

  it('threat: a TOTP code replayed (A35.4) — the same code is refused the second time', async () => {
    t.clock.advance(30_000);
    const code = totpCodeForSecret(admin.secret, t.clock.now());
    const first = await passwordStep(admin.email, admin.password);
    expect((await call(first.jar, 'POST', '/api/v1/session/second-factor', { method: 'totp', code })).statusCode).toBe(
      200,
    );
    const second = await passwordStep(admin.email, admin.password);
    const replay = await call(second.jar, 'POST', '/api/v1/session/second-factor', { method: 'totp', code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('SIGN_IN_FAILED');
    // A good code afterwards still works: one failure is not a lock.
    await signIn(admin);
  });

  it('threat: password guessing (A37.5) — the third failure locks; the right password then fails alike', async () => {
    const victim = await invite('compliance-officer');
    for (let i = 0; i < 3; i += 1) {
      const { res } = await passwordStep(victim.email, 'not the password at all');
      expect(res.json().code).toBe('SIGN_IN_FAILED');
    }
    const { res } = await passwordStep(victim.email, victim.password);
    expect(res.statusCode).toBe(401);
    const unknown = await passwordStep('nobody@example.com.tw', victim.password);
    // Unknown, wrong and locked answer alike (no account enumeration).
    expect(unknown.res.json().message).toBe(res.json().message);
    // The victim's sessions ended with the lock.
    expect((await call(victim.jar, 'GET', '/api/v1/session')).statusCode).toBe(401);

    const listed = await call(admin.jar, 'GET', `/api/v1/users/${victim.id}`);
    expect(listed.json().lockedAt).not.toBeNull();
    const unlock = await call(
      admin.jar,
      'POST',
      `/api/v1/users/${victim.id}/unlock`,
      { reason: 'identity confirmed by phone call' },
      { 'x-csrf-token': admin.csrf },
    );
    expect(unlock.statusCode).toBe(200);
    await signIn(victim);

    const chain = await t.services.stores.audit.page('installation', 0, 1000);
    const actions = chain.filter((e) => e.objectId === victim.id).map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'console.sign-in:failure',
        'console.user.lock:success',
        'console.user.unlock:success',
        'console.sign-in:success',
      ]),
    );
  });

  it('threat: a stolen password without the second factor — wrong codes lock, re-entering the password does not reset', async () => {
    const victim = await invite('auditor');
    const guess = async () => {
      const { jar, res } = await passwordStep(victim.email, victim.password);
      expect(res.statusCode).toBe(200);
      return call(jar, 'POST', '/api/v1/session/second-factor', { method: 'totp', code: '000000' });
    };
    expect((await guess()).json().code).toBe('SIGN_IN_FAILED');
    expect((await guess()).json().code).toBe('SIGN_IN_FAILED');
    expect((await guess()).json().code).toBe('SIGN_IN_FAILED');
    const after = await passwordStep(victim.email, victim.password);
    expect(after.res.statusCode).toBe(401);
  });

  it('threat: cross-site request forgery — a change without the CSRF token or from another origin is refused', async () => {
    const body = { name: 'Copier 2F', owner: 'General Affairs', kind: 'copier' };
    const url = '/api/v1/organizations/taipei-sec/registers/iot-devices';
    const missing = await call(admin.jar, 'POST', url, body);
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe('CSRF_FAILED');
    const wrong = await call(admin.jar, 'POST', url, body, { 'x-csrf-token': 'x'.repeat(43) });
    expect(wrong.json().code).toBe('CSRF_FAILED');
    const foreign = await call(admin.jar, 'POST', url, body, {
      'x-csrf-token': admin.csrf,
      origin: 'https://evil.example',
    });
    expect(foreign.json().code).toBe('CSRF_FAILED');
    const good = await call(admin.jar, 'POST', url, body, { 'x-csrf-token': admin.csrf });
    expect(good.statusCode).toBe(201);
    // Every change made in the console is audited with the user.
    const entries = await t.services.stores.audit.page(orgId, 0, 1000);
    expect(entries.find((e) => e.objectId === good.json().id)?.actor).toEqual({ type: 'user', id: admin.id });
  });

  it('role boundary: an auditor reads and exports everything and changes nothing', async () => {
    const auditor = await invite('auditor');
    const read = await call(auditor.jar, 'GET', '/api/v1/organizations/taipei-sec/registers/iot-devices');
    expect(read.statusCode).toBe(200);
    expect((await call(auditor.jar, 'GET', '/api/v1/organizations/taipei-sec/export')).statusCode).toBe(200);
    const write = await call(
      auditor.jar,
      'POST',
      '/api/v1/organizations/taipei-sec/registers/iot-devices',
      { name: 'Camera', owner: 'General Affairs', kind: 'surveillance' },
      { 'x-csrf-token': auditor.csrf },
    );
    expect(write.statusCode).toBe(403);
    expect(write.json().code).toBe('FORBIDDEN');
    const evaluate = await call(auditor.jar, 'POST', '/api/v1/organizations/taipei-sec/evaluations', undefined, {
      'x-csrf-token': auditor.csrf,
    });
    expect(evaluate.statusCode).toBe(403);
    // Choosing a language is the auditor's own business.
    const locale = await call(
      auditor.jar,
      'PATCH',
      '/api/v1/me',
      { locale: 'zh-TW' },
      { 'x-csrf-token': auditor.csrf },
    );
    expect(locale.json()).toMatchObject({ locale: 'zh-TW' });
  });

  it('role boundary: an asset owner edits the records they own, and no one else’s', async () => {
    const owner = await invite('asset-owner', { ownerNames: ['General Affairs'] });
    const url = '/api/v1/organizations/taipei-sec/registers/iot-devices';
    const csrf = { 'x-csrf-token': owner.csrf };
    const mine = await call(
      owner.jar,
      'POST',
      url,
      { name: 'Printer 5F', owner: 'General Affairs', kind: 'printer' },
      csrf,
    );
    expect(mine.statusCode).toBe(201);
    const theirs = await call(
      owner.jar,
      'POST',
      url,
      { name: 'Badge reader', owner: 'IT Dept.', kind: 'access-control' },
      csrf,
    );
    expect(theirs.statusCode).toBe(403);
    const other = await t.services.registers.create(
      { actor: { type: 'user', id: 'test' }, source: null },
      orgId,
      'iot-devices',
      { name: 'Server-room camera', owner: 'IT Dept.', kind: 'surveillance' },
    );
    const edit = await call(
      owner.jar,
      'PUT',
      `${url}/${other.id}?revision=${other.revision}`,
      { name: 'Mine now', owner: 'General Affairs', kind: 'surveillance' },
      csrf,
    );
    expect(edit.statusCode).toBe(403);
    const remove = await call(owner.jar, 'DELETE', `${url}/${other.id}?revision=${other.revision}`, undefined, csrf);
    expect(remove.statusCode).toBe(403);
    const profile = await call(
      owner.jar,
      'PATCH',
      '/api/v1/organizations/taipei-sec/profile',
      { usesCloudServices: true },
      csrf,
    );
    expect(profile.statusCode).toBe(403);
  });

  it('role boundary: only administrators manage users and organizations; others see only their organizations', async () => {
    const officer = await invite('compliance-officer');
    const csrf = { 'x-csrf-token': officer.csrf };
    expect((await call(officer.jar, 'GET', '/api/v1/users')).statusCode).toBe(403);
    const invite2 = await call(
      officer.jar,
      'POST',
      '/api/v1/users',
      { email: 'x@example.com', displayName: 'X', role: 'administrator' },
      csrf,
    );
    expect(invite2.statusCode).toBe(403);
    expect(
      (await call(officer.jar, 'POST', '/api/v1/organizations', { slug: 'mine', name: 'Mine' }, csrf)).statusCode,
    ).toBe(403);
    const list = await call(officer.jar, 'GET', '/api/v1/organizations');
    expect(list.json().organizations.map((o: { slug: string }) => o.slug)).toEqual(['taipei-sec']);
    const hidden = await call(officer.jar, 'GET', '/api/v1/organizations/other-firm/registers/iot-devices');
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().code).toBe('ORGANIZATION_NOT_FOUND');
    // The API token stays the automation credential.
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: auth })).statusCode).toBe(200);
  });

  it('threat: a session left open — it ends after 30 idle minutes, and after 12 hours in any case', async () => {
    const { jar } = await signIn(admin);
    t.clock.advance(29 * 60_000);
    expect((await call(jar, 'GET', '/api/v1/session')).statusCode).toBe(200);
    t.clock.advance(29 * 60_000);
    expect((await call(jar, 'GET', '/api/v1/session')).statusCode).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await call(jar, 'GET', '/api/v1/session')).statusCode).toBe(401);

    const busy = await signIn(admin);
    for (let hour = 0; hour < 12; hour += 1) {
      t.clock.advance(20 * 60_000);
      await call(busy.jar, 'GET', '/api/v1/session');
      t.clock.advance(20 * 60_000);
      await call(busy.jar, 'GET', '/api/v1/session');
      t.clock.advance(20 * 60_000);
      await call(busy.jar, 'GET', '/api/v1/session');
    }
    expect((await call(busy.jar, 'GET', '/api/v1/session')).statusCode).toBe(401);
  });

  it('signs out, and signs out everywhere', async () => {
    const laptop = await signIn(admin);
    const phone = await signIn(admin);
    const out = await call(laptop.jar, 'DELETE', '/api/v1/session', undefined, { 'x-csrf-token': laptop.csrf });
    expect(out.statusCode).toBe(204);
    laptop.jar.take(out);
    expect((await call(laptop.jar, 'GET', '/api/v1/session')).statusCode).toBe(401);
    expect((await call(phone.jar, 'GET', '/api/v1/session')).statusCode).toBe(200);
    const third = await signIn(admin);
    const everywhere = await call(third.jar, 'POST', '/api/v1/session/sign-out-everywhere', undefined, {
      'x-csrf-token': third.csrf,
    });
    expect(everywhere.json().ended).toBeGreaterThanOrEqual(2);
    expect((await call(phone.jar, 'GET', '/api/v1/session')).statusCode).toBe(401);
    admin = { ...admin, ...(await signIn(admin)) };
  });

  it('threat: guessing across many accounts from one address — sign-in steps are rate-limited per address', async () => {
    const limited = await createTestApp(kind, { signInRateLimitPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/api/v1/session',
          payload: { email: `user${i}@example.com.tw`, password: 'guess' },
        });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('answers bad input with 4xx and a code, never a 500', async () => {
    const cases: [string, string, Record<string, unknown> | undefined][] = [
      ['POST', '/api/v1/session', { email: 'not-an-email', password: 'x' }],
      ['POST', '/api/v1/session', { email: 'a@b.tw' }],
      ['POST', '/api/v1/session/second-factor', { method: 'totp', code: '12' }],
      ['POST', '/api/v1/session/second-factor', { method: 'totp', code: '123456' }],
      ['POST', '/api/v1/session/enrolment/totp', undefined],
      ['GET', '/api/v1/setup/not-a-token', undefined],
      ['POST', '/api/v1/invitations/xyz', { password: strongPassword }],
    ];
    for (const [method, url, payload] of cases) {
      const res = await call(new Jar(), method as 'GET' | 'POST', url, payload);
      expect(res.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
      expect(res.json()).toHaveProperty('requestId');
    }
    const forged = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: 'ntg_session=%E0%A4%A; ntg_session=ntgc_forged' },
    });
    expect(forged.statusCode).toBe(401);
  });
});
