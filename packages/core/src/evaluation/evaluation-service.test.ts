import { createHash } from 'node:crypto';
import type { RuleResult } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { resultsDigest } from './evaluation-service.ts';

const result = (i: number): RuleResult => ({
  requirementId: `A17.${i % 7}`,
  status: i % 3 === 0 ? 'fail' : 'pass',
  reason: `Mobile device "phone ${i}" reason ${i}.`,
  recordType: 'mobile-devices',
  recordId: `mdv_${i}`,
  recordName: `phone ${i}`,
  dueDate: i % 2 === 0 ? '2027-01-01' : null,
});

/** The digest as the stored runs define it: SHA-256 over each result's fields in order, one line per result. */
function reference(results: readonly RuleResult[]): string {
  return createHash('sha256')
    .update(
      results
        .map(
          (r) =>
            `${r.requirementId}\u0000${r.status}\u0000${r.recordType ?? ''}\u0000${r.recordId ?? ''}\u0000${r.recordName ?? ''}\u0000${r.dueDate ?? ''}\u0000${r.reason}\u0001`,
        )
        .join(''),
    )
    .digest('hex');
}

describe('results digest', () => {
  it('is the SHA-256 of every result in order, however many there are', () => {
    for (const n of [0, 1, 511, 512, 513, 1500]) {
      const results = Array.from({ length: n }, (_, i) => result(i));
      expect(resultsDigest(results)).toBe(reference(results));
    }
  });

  it('changes when one reason among many changes, or when two results swap places', () => {
    const results = Array.from({ length: 1200 }, (_, i) => result(i));
    const digest = resultsDigest(results);
    const changed = results.map((r, i) => (i === 1100 ? { ...r, reason: `${r.reason} ` } : r));
    expect(resultsDigest(changed)).not.toBe(digest);
    const swapped = [...results];
    [swapped[3], swapped[700]] = [results[700] as RuleResult, results[3] as RuleResult];
    expect(resultsDigest(swapped)).not.toBe(digest);
  });
});
