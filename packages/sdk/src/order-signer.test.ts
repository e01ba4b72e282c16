import { verify, webcrypto } from 'node:crypto';
import { canonicalOrderBytes, type OrderPayload } from '@ntg/contracts';
import { createTestPki, type TestPki } from '@ntg/test-kit';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrderSigningError, signOrderCms, signOrderJws } from './order-signer.ts';

// The SDK's order signer (ADR 0014). That its signatures pass the gateway's verifier is tested beside the verifier
// (packages/core/src/orders/signature); here: what it refuses to sign with, and the exact bytes a JWS covers.
const payload: OrderPayload = {
  v: 1,
  organizationId: 'org_0123456789abc',
  clientId: 'a123456789',
  sessionId: 'ses_0123456789abc',
  serial: 7,
  nonce: 'AAECAwQFBgcICQoLDA0ODw',
  timestamp: '2026-12-07T01:02:03.456Z',
  order: {
    account: '9A95-1234567',
    symbol: '2330',
    side: 'buy',
    type: 'limit',
    quantity: '1000',
    price: '1085.5',
    timeInForce: 'ROD',
  },
};

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 60_000);

describe('order signer', () => {
  it('a JWS covers the base64url header, a dot and the canonical bytes of the payload, signed r||s for ES256', async () => {
    const c = pki.clients.ec;
    const { format, value } = await signOrderJws({ payload, certificateDer: c.der, privateKey: c.privateKey as never });
    expect(format).toBe('jws');
    const [header = '', empty, signature = ''] = value.split('.');
    expect(empty).toBe('');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({
      alg: 'ES256',
      x5c: [Buffer.from(c.der).toString('base64')],
    });
    const input = `${header}.${Buffer.from(canonicalOrderBytes(payload)).toString('base64url')}`;
    const key = webcrypto.subtle.exportKey('spki', c.publicKey);
    const ok = verify(
      'sha256',
      Buffer.from(input),
      { key: Buffer.from(await key), format: 'der', type: 'spki', dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    expect(ok).toBe(true);
  });

  it('threat: a weak digest — refuses to sign with an RSA key bound to SHA-1', async () => {
    const c = pki.clients.rsa;
    const sha1 = await webcrypto.subtle.importKey(
      'pkcs8',
      await webcrypto.subtle.exportKey('pkcs8', c.privateKey),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
      false,
      ['sign'],
    );
    await expect(signOrderCms({ payload, certificateDer: c.der, privateKey: sha1 as never })).rejects.toThrow(
      OrderSigningError,
    );
  });

  it('refuses bytes that are not a certificate before signing anything', async () => {
    await expect(
      signOrderCms({
        payload,
        certificateDer: new Uint8Array([1, 2, 3]),
        privateKey: pki.clients.ec.privateKey as never,
      }),
    ).rejects.toThrow(/not a DER X.509 certificate/);
  });
});
