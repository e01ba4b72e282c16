import { canonicalOrderBytes, type OrderPayload } from '@ntg/contracts';
import {
  createTestCa,
  fixedRevocation,
  issueTestSigner,
  newOrderNonce,
  signOrderJws,
  testParseApprovedCaCertificate,
  testVerifyOrderSignature,
} from '@ntg/test-kit/orders';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/app-error.ts';
import type { ApprovedCaAnchor } from './order-verification.ts';

// The order tests lean on this double of the verification seam; it must refuse what a verifier refuses, or those
// tests would pass against a verifier that accepts anything.
const payload: OrderPayload = {
  v: 1,
  organizationId: 'org_0123456789abcdefghij',
  clientId: 'a123456789',
  sessionId: 'ses_0123456789abcdefghij',
  serial: 1,
  nonce: newOrderNonce(),
  timestamp: '2026-01-15T01:00:00.000Z',
  order: {
    account: '9801-123456',
    symbol: '2330',
    side: 'buy',
    type: 'limit',
    quantity: '1000',
    price: '580.5',
    timeInForce: 'ROD',
  },
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'accepted';
  } catch (error) {
    return isAppError(error) ? error.code : String(error);
  }
}

describe('the order signature test double', () => {
  it('accepts a real ES256 signature chained to the anchor, and refuses a changed order, another CA and a bad time', async () => {
    const ca = await createTestCa();
    const other = await createTestCa('Other CA');
    const signer = await issueTestSigner(ca);
    expect(testParseApprovedCaCertificate(ca.der)).toMatchObject({
      subject: expect.stringContaining('NTG Test Root CA'),
    });
    expect(await codeOf(Promise.resolve().then(() => testParseApprovedCaCertificate(signer.der)))).toBe(
      'APPROVED_CA_INVALID',
    );
    const anchors: ApprovedCaAnchor[] = [{ id: 'aca_1', name: 'ca', certificateDer: ca.der, crlUrls: [] }];
    const base = {
      signature: signOrderJws(payload, signer),
      anchors,
      at: new Date('2026-01-15T01:00:00.000Z'),
      revocation: fixedRevocation('good'),
      unknownRevocation: 'fail-closed' as const,
    };
    const ok = await testVerifyOrderSignature({ ...base, canonicalBytes: canonicalOrderBytes(payload) });
    expect(ok.anchorId).toBe('aca_1');
    expect(Buffer.from(ok.signerCertificateDer).equals(Buffer.from(signer.der))).toBe(true);
    const changed = canonicalOrderBytes({ ...payload, order: { ...payload.order, quantity: '9000' } });
    expect(await codeOf(testVerifyOrderSignature({ ...base, canonicalBytes: changed }))).toBe(
      'ORDER_SIGNATURE_INVALID',
    );
    const otherAnchors = [{ id: 'aca_2', name: 'other', certificateDer: other.der, crlUrls: [] }];
    expect(
      await codeOf(
        testVerifyOrderSignature({ ...base, anchors: otherAnchors, canonicalBytes: canonicalOrderBytes(payload) }),
      ),
    ).toBe('ORDER_CERTIFICATE_UNTRUSTED');
    expect(
      await codeOf(
        testVerifyOrderSignature({
          ...base,
          at: new Date('2032-01-01T00:00:00Z'),
          canonicalBytes: canonicalOrderBytes(payload),
        }),
      ),
    ).toBe('ORDER_CERTIFICATE_EXPIRED');
    expect(
      await codeOf(
        testVerifyOrderSignature({
          ...base,
          revocation: fixedRevocation('revoked'),
          canonicalBytes: canonicalOrderBytes(payload),
        }),
      ),
    ).toBe('ORDER_CERTIFICATE_REVOKED');
  });
});
