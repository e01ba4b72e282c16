import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/app-error.ts';
import { anchorsOf, enforceUnknownRevocation, verifierRevocationPolicy } from './order-anchors.ts';
import type { ApprovedCa } from './order-store.ts';

function ca(id: string, unknownRevocation: ApprovedCa['unknownRevocation']): ApprovedCa {
  return {
    id,
    organizationId: 'org_1',
    name: id,
    certificateDer: new Uint8Array([0x30, 1]),
    fingerprint: id.padEnd(64, '0'),
    subject: `CN=${id}`,
    notAfter: '2031-01-01T00:00:00.000Z',
    crlUrls: ['http://crl.example.com.tw/x.crl'],
    ocspUrl: null,
    unknownRevocation,
    addedBy: 'usr_test',
    addedAt: '2026-01-01T00:00:00.000Z',
    removedBy: null,
    removedAt: null,
  };
}

const unknown = { status: 'unknown', source: 'none' } as const;

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return isAppError(error) ? error.code : 'not an AppError';
  }
}

describe('unknown revocation status per approved CA (ADR 0014: the default fails closed)', () => {
  const closed = ca('aca_closed', 'fail-closed');
  const open = ca('aca_open', 'fail-open');

  it('asks the verifier to fail closed unless some CA allows otherwise', () => {
    expect(verifierRevocationPolicy([closed])).toBe('fail-closed');
    expect(verifierRevocationPolicy([closed, open])).toBe('fail-open');
  });

  it('refuses an unknown status under a fail-closed CA even when another CA fails open', () => {
    expect(codeOf(() => enforceUnknownRevocation([closed, open], 'aca_closed', unknown))).toBe(
      'ORDER_REVOCATION_UNKNOWN',
    );
    expect(codeOf(() => enforceUnknownRevocation([closed, open], 'aca_gone', unknown))).toBe(
      'ORDER_REVOCATION_UNKNOWN',
    );
    expect(codeOf(() => enforceUnknownRevocation([closed, open], 'aca_open', unknown))).toBeNull();
    expect(
      codeOf(() => enforceUnknownRevocation([closed], 'aca_closed', { status: 'good', source: 'crl' })),
    ).toBeNull();
  });

  it('hands the verifier each CA with its revocation sources', () => {
    expect(anchorsOf([closed])).toEqual([
      {
        id: 'aca_closed',
        name: 'aca_closed',
        certificateDer: closed.certificateDer,
        crlUrls: ['http://crl.example.com.tw/x.crl'],
        ocspUrl: undefined,
      },
    ]);
  });
});
