import { consoleRoles } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { canEdit } from './permissions.ts';

describe('edit controls', () => {
  it('are shown to every role except auditors', () => {
    expect(consoleRoles.filter(canEdit)).toEqual(['administrator', 'compliance-officer', 'asset-owner']);
  });

  it('are hidden while the session is unknown', () => {
    expect(canEdit(undefined)).toBe(false);
  });
});
