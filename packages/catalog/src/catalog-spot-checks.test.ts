import type { CatalogNode, ProfileFlag } from '@ntg/contracts';
import { profileFlagSchema } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import type { ProfileFlags } from './applicability.ts';
import { isApplicable } from './applicability.ts';
import { loadCatalog } from './catalog-loader.ts';

const catalog = loadCatalog('2022-05-11', 'en');

function node(id: string): CatalogNode {
  const found = catalog.get(id);
  if (!found) {
    throw new Error(`test data: no node ${id}`);
  }
  return found;
}

const profile = (...flags: ProfileFlag[]): ProfileFlags => Object.fromEntries(flags.map((flag) => [flag, true]));
const allProfiles: ProfileFlags[] = Array.from({ length: 2 ** profileFlagSchema.options.length }, (_, mask) =>
  profile(...profileFlagSchema.options.filter((_, bit) => (mask >> bit) & 1)),
);

describe('spot checks of the 2022-05-11 catalog', () => {
  it('A37.5 locks an account after three failed attempts: a shall requirement for Internet trading', () => {
    const a375 = node('A37.5');
    expect(a375.kind).toBe('requirement');
    expect(a375.obligation).toBe('shall');
    expect(a375.parameters).toContainEqual({ name: 'maxFailedAttempts', value: 3 });
    expect(isApplicable(a375.applicability, profile('offersInternetTrading'))).toBe(true);
    expect(isApplicable(a375.applicability, profile('offersTelephoneTrading', 'verifiesByVideoCall'))).toBe(false);
  });

  it('A17.4.5 advises restricting unnecessary wireless connections on mobile devices', () => {
    const a1745 = node('A17.4.5');
    expect(a1745.text).toMatch(/restrictions on or turns off unnecessary wireless connection/);
    expect(a1745.obligation).toBe('advised');
    expect(a1745.parentId).toBe('A17.4');
  });

  it('A4.2 mixes a shall (evaluate the backup system) and an advice (recovery time in the contract)', () => {
    const a42 = node('A4.2');
    expect(a42.statements.map((s) => s.obligation)).toEqual(['shall', 'advised']);
    expect(a42.statements[0]?.text).toMatch(/shall evaluate whether a cloud service provider/);
    expect(a42.statements[1]?.text).toMatch(/advised to specify in the contract the requirements on the recovery time/);
    expect(a42.obligation).toBe('shall');
  });

  it('A1 is the purpose, A2 and its paragraphs are definitions, none of them binding', () => {
    expect(node('A1').kind).toBe('purpose');
    for (const id of ['A2', 'A2.1', 'A2.2', 'A2.3', 'A10', 'A15.1', 'A15.2', 'A21', 'A32', 'A33', 'A39']) {
      expect([id, node(id).kind, node(id).obligation]).toEqual([id, 'definition', null]);
    }
  });

  it('A3 is a scope article: A3.1 requires a prior risk evaluation, A3.2 excludes the internal private cloud', () => {
    expect(node('A3').kind).toBe('scope');
    expect(node('A3.1').kind).toBe('requirement');
    expect(node('A3.1').obligation).toBe('shall');
    expect(node('A3.2').kind).toBe('scope');
    expect(node('A3.2').obligation).toBeNull();
    for (const id of ['A11', 'A16', 'A22', 'A34']) {
      expect([id, node(id).kind]).toEqual([id, 'scope']);
    }
  });

  it('sets the cadences the text states', () => {
    const cadences = Object.fromEntries(
      ['A12.1', 'A23', 'A20.3', 'A42', 'A37.7', 'A37.6', 'A4.4', 'A6.2', 'A13.1', 'A29', 'A20.4', 'A20.1'].map((id) => [
        id,
        node(id).cadence,
      ]),
    );
    expect(cadences).toEqual({
      'A12.1': 'yearly',
      A23: 'yearly',
      'A20.3': 'yearly',
      A42: 'yearly',
      'A37.7': 'daily',
      'A37.6': 'three-months',
      'A4.4': 'periodic',
      'A6.2': 'periodic',
      'A13.1': 'periodic',
      A29: 'periodic',
      'A20.4': 'every-release',
      'A20.1': 'every-release',
    });
  });

  it('sets the values the text prescribes as parameters', () => {
    expect(node('A37.6').parameters).toContainEqual({ name: 'passwordMaxAgeMonths', value: 3, unit: 'months' });
    expect(node('A35.1').parameters).toEqual(
      expect.arrayContaining([
        { name: 'minTlsVersion', value: '1.2' },
        { name: 'minAesKeyBits', value: 128, unit: 'bits' },
        { name: 'minRsaKeyBits', value: 2048, unit: 'bits' },
        { name: 'minEccKeyBits', value: 256, unit: 'bits' },
      ]),
    );
    for (const id of ['A35.2', 'A35.3', 'A35.5']) {
      expect(node(id).parameters).toContainEqual({ name: 'minShaBits', value: 256, unit: 'bits' });
    }
    expect(node('A36.1').parameters).toContainEqual({ name: 'minAuthenticationFactors', value: 2 });
    expect(node('A36.3').parameters).toContainEqual({ name: 'minFipsSecurityLevel', value: 3 });
  });

  it('puts chapter II duties on the cloud service user or the cloud service provider', () => {
    expect(node('A4.1').actor).toBe('cloud-service-user');
    expect(node('A5.2').actor).toBe('cloud-service-provider');
    expect(node('A9.3').actor).toBe('cloud-service-provider');
    const chapter2 = catalog.nodes.filter((n) => n.chapter.number === 2 && n.text !== '' && n.kind === 'requirement');
    expect(new Set(chapter2.map((n) => n.actor))).toEqual(new Set(['cloud-service-user', 'cloud-service-provider']));
  });
});

describe('applicability of the 2022-05-11 catalog', () => {
  const inArticles = (from: number, to: number) => catalog.nodes.filter((n) => n.article >= from && n.article <= to);
  const appliesTo = (n: CatalogNode, flags: ProfileFlags) => isApplicable(n.applicability, flags);

  it('applies chapter I, A39 (deepfake definition) and A42 (deepfake training) to every organization', () => {
    for (const n of [...inArticles(1, 1), node('A39'), node('A42')]) {
      expect([n.id, appliesTo(n, {})]).toEqual([n.id, true]);
    }
  });

  it('applies the social media use policy (A10-A12) to all, the official profile duties (A13-A14) to operators', () => {
    for (const n of inArticles(10, 12)) {
      expect([n.id, appliesTo(n, {})]).toEqual([n.id, true]);
    }
    for (const n of inArticles(13, 14)) {
      expect([n.id, appliesTo(n, {}), appliesTo(n, profile('operatesSocialMedia'))]).toEqual([n.id, false, true]);
    }
  });

  it('applies chapter II to organizations using cloud services other than only an internal private cloud', () => {
    for (const n of inArticles(2, 9)) {
      expect([
        n.id,
        appliesTo(n, profile('usesCloudServices')),
        appliesTo(n, profile('usesCloudServices', 'onlyPrivateInternalCloud')),
        appliesTo(n, profile('cloudInvolvesCore')),
      ]).toEqual([n.id, true, false, false]);
    }
  });

  it('applies A15-A17 to mobile devices for sensitive affairs, A18 to BYOD, A19-A20 to published apps', () => {
    for (const n of inArticles(15, 17)) {
      expect([n.id, appliesTo(n, profile('usesMobileDevicesForSensitiveAffairs')), appliesTo(n, {})]).toEqual([
        n.id,
        true,
        false,
      ]);
    }
    for (const n of inArticles(18, 18)) {
      expect([n.id, appliesTo(n, profile('allowsByod')), appliesTo(n, {})]).toEqual([n.id, true, false]);
    }
    for (const n of inArticles(19, 20)) {
      const investorOnly = n.article === 20 && (n.paragraph ?? 0) >= 3;
      expect([
        n.id,
        appliesTo(n, profile('publishesMobileApp')),
        appliesTo(n, profile('publishesMobileApp', 'publishesInvestorApp')),
        appliesTo(n, profile('usesMobileDevicesForSensitiveAffairs')),
      ]).toEqual([n.id, !investorOnly, true, false]);
    }
  });

  it('applies chapter V to IoT equipment, chapter VI to Internet trading, A40 to telephone, A41 to video calls', () => {
    const expectFlag = (from: number, to: number, flag: ProfileFlag) => {
      for (const n of inArticles(from, to)) {
        expect([n.id, appliesTo(n, profile(flag)), appliesTo(n, {})]).toEqual([n.id, true, false]);
      }
    };
    expectFlag(21, 31, 'hasIotEquipment');
    expectFlag(32, 38, 'offersInternetTrading');
    expectFlag(40, 40, 'offersTelephoneTrading');
    expectFlag(41, 41, 'verifiesByVideoCall');
  });

  it('never applies a paragraph or item where its parent does not apply (all 4096 profiles)', () => {
    const wrong = catalog.nodes
      .filter((n) => n.parentId !== null)
      .filter((n) => {
        const parent = node(n.parentId ?? '');
        return allProfiles.some((flags) => appliesTo(n, flags) && !appliesTo(parent, flags));
      })
      .map((n) => n.id);
    expect(wrong).toEqual([]);
  });
});

describe('evidence and actors of the 2022-05-11 catalog', () => {
  it('names at least one kind of evidence for every requirement, and none for purpose and definitions', () => {
    expect(catalog.nodes.filter((n) => n.kind === 'requirement' && n.evidence.length === 0).map((n) => n.id)).toEqual(
      [],
    );
    expect(
      catalog.nodes.filter((n) => (n.kind === 'purpose' || n.kind === 'definition') && n.evidence.length > 0),
    ).toEqual([]);
  });

  it('names an actor for every requirement, and none for purpose, definitions and scope paragraphs', () => {
    expect(catalog.nodes.filter((n) => n.kind === 'requirement' && n.text !== '' && n.actor === null)).toEqual([]);
    expect(catalog.nodes.filter((n) => n.kind !== 'requirement' && n.text !== '' && n.actor !== null)).toEqual([]);
  });

  it('lists evidence kinds and parameter names at most once per node', () => {
    for (const n of catalog.nodes) {
      expect([n.id, new Set(n.evidence).size]).toEqual([n.id, n.evidence.length]);
      expect([n.id, new Set(n.parameters.map((p) => p.name)).size]).toEqual([n.id, n.parameters.length]);
    }
  });

  it('sets a cadence only on requirements', () => {
    expect(catalog.nodes.filter((n) => n.kind !== 'requirement' && n.cadence !== null).map((n) => n.id)).toEqual([]);
  });
});
