import { createHash } from 'node:crypto';
import { emptyProfile, newId } from '@ntg/core';

/** Rows that store contract tests need as parents (an organization, a client account, a gateway session). */
export function testOrganizationRow(slug: string, at: string) {
  return {
    id: newId('org'),
    slug,
    name: slug,
    kind: 'securities' as const,
    demo: false,
    profile: emptyProfile(),
    createdAt: at,
    updatedAt: at,
  };
}

export function testClientAccountRow(organizationId: string, identifier: string, at: string) {
  return {
    id: newId('cla'),
    organizationId,
    identifier,
    failedAttempts: 0,
    lockedAt: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** A live gateway session of `accountId`, valid for eight hours from `at`, with a sealed order MAC key. */
export function testClientSessionRow(account: { id: string; organizationId: string }, at: string) {
  return {
    id: newId('ses'),
    accountId: account.id,
    organizationId: account.organizationId,
    tokenHash: createHash('sha256').update(newId('tok')).digest('hex'),
    authenticatedAt: { knowledge: at },
    createdAt: at,
    lastSeenAt: at,
    expiresAt: new Date(Date.parse(at) + 8 * 3600_000).toISOString(),
    revokedAt: null,
    orderMacKeySealed: 'v1.sealed',
  };
}
