import { loadCatalog } from '@ntg/catalog';
import type { RegisterRecord } from '@ntg/contracts';
import { makeRecord, ruleHarness, snapshotWith } from '@ntg/test-kit';
import { describe, expect, it } from 'vitest';
import type { RuleContext } from '../rule.ts';
import { iotAttestations, iotRules } from './iot-rules.ts';

const catalog = loadCatalog('2022-05-11');
const { contextFor, evaluate, verdictFor } = ruleHarness(catalog, iotRules);

const threeMonthly = (ctx: RuleContext): RuleContext => ({ ...ctx, node: { ...ctx.node, cadence: 'three-months' } });

type DeviceFields = Partial<RegisterRecord<'iot-devices'>>;

function device(fields: DeviceFields = {}) {
  return makeRecord('iot-devices', { name: 'Lobby camera 2', kind: 'surveillance', ...fields });
}

/** A device that meets A26: nothing unnecessary open, a private address, wired. */
const wellConnected: DeviceFields = {
  unnecessaryServicesDisabled: true,
  publicAddress: false,
  ipAddresses: ['192.168.10.20'],
  wireless: false,
};

const devices = (...records: RegisterRecord<'iot-devices'>[]) => snapshotWith({ 'iot-devices': records });

/** The one verdict of a rule on a single device. */
const judge = (nodeId: string, fields: DeviceFields, today?: string) => {
  const d = device(fields);
  return verdictFor(evaluate(nodeId, devices(d), today), d);
};

describe('A23 equipment list', () => {
  const review = (lastVerifiedDate: string) =>
    makeRecord('measures', { name: 'IoT inventory review', kind: 'iot-inventory-review', lastVerifiedDate });

  it('passes one day before the yearly update of the list falls due', () => {
    const m = review('2025-04-01');
    expect(evaluate('A23', snapshotWith({ measures: [m] }), '2026-03-31')[0]).toMatchObject({
      status: 'pass',
      dueDate: '2026-04-01',
      recordId: m.id,
    });
  });

  it('fails one day after the yearly update of the list fell due', () => {
    const [v] = evaluate('A23', snapshotWith({ measures: [review('2025-04-01')] }), '2026-04-02');
    expect(v).toMatchObject({ status: 'fail', dueDate: '2026-04-01' });
    expect(v?.reason).toMatch(/^Update of the IoT equipment list \(A23\) last on 2025-04-01/);
  });

  it('takes the period from the node’s cadence, not from the rule', () => {
    const registers = snapshotWith({ measures: [review('2025-04-01')] });
    expect(
      evaluate('A23', registers, undefined, threeMonthly(contextFor('A23', registers, '2025-07-02')))[0],
    ).toMatchObject({
      status: 'fail',
      dueDate: '2025-07-01',
    });
  });

  it('needs evidence when no update of the list is recorded, and when the list is empty', () => {
    expect(evaluate('A23', snapshotWith({})).map((v) => v.status)).toEqual(['needs-evidence', 'needs-evidence']);
  });

  it('passes a device listed with purpose, online setup, location, manager and controlled physical access', () => {
    const v = judge('A23', {
      purpose: 'Lobby CCTV',
      location: 'HQ 1F lobby',
      ipAddresses: ['10.1.2.3'],
      physicalAccessControlled: true,
    });
    expect(v.status).toBe('pass');
    expect(v.reason).toMatch(/manager \(Information Security Dept\.\)/);
  });

  it('needs evidence naming every missing inventory field', () => {
    const v = judge('A23', { physicalAccessControlled: true });
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toBe('IoT device "Lobby camera 2": not recorded: purpose, online setup and location (A23).');
  });

  it('fails a device without physical access control', () => {
    expect(
      judge('A23', { purpose: 'CCTV', location: 'Lobby', networkSegment: 'OA-VLAN', physicalAccessControlled: false })
        .status,
    ).toBe('fail');
  });

  it('does not apply to retired equipment', () => {
    expect(judge('A23', { retired: true }).status).toBe('not-applicable');
  });
});

describe('A24 security updates', () => {
  const updatable: DeviceFields = { securityUpdateMechanism: true, lastSecurityUpdateDate: '2025-05-20' };

  it('passes one day before the next update falls due', () => {
    expect(judge('A24', updatable, '2026-05-19')).toMatchObject({ status: 'pass', dueDate: '2026-05-20' });
  });

  it('fails one day after the next update fell due', () => {
    const v = judge('A24', updatable, '2026-05-21');
    expect(v).toMatchObject({ status: 'fail', dueDate: '2026-05-20' });
    expect(v.reason).toBe('IoT device "Lobby camera 2" was last updated on 2025-05-20, due again by 2026-05-20 (A24).');
  });

  it('takes the period from the node’s cadence, not from the rule', () => {
    const d = device(updatable);
    const registers = devices(d);
    expect(
      verdictFor(evaluate('A24', registers, undefined, threeMonthly(contextFor('A24', registers, '2025-08-21'))), d),
    ).toMatchObject({
      status: 'fail',
      dueDate: '2025-08-20',
    });
  });

  it('fails equipment without a security update mechanism', () => {
    expect(judge('A24', { ...updatable, securityUpdateMechanism: false }).reason).toMatch(
      /has no security update mechanism/,
    );
  });

  it('needs evidence when no update is recorded', () => {
    expect(judge('A24', { securityUpdateMechanism: true }).reason).toMatch(
      /not recorded: date of the last security update/,
    );
  });

  it('does not apply to a sensor without management functions (A31)', () => {
    expect(judge('A24', { kind: 'sensor', sensorWithoutManagement: true }).reason).toMatch(/A31 exempts it from A24/);
  });

  it('leaves equipment whose functions cannot meet A24-A25 to A30, but still judges one with an unfixable defect', () => {
    expect(judge('A24', { exception: 'function-limitation' }).status).toBe('not-applicable');
    expect(judge('A24', { exception: 'unfixable-defect', securityUpdateMechanism: false }).status).toBe('fail');
  });
});

describe('A25 access to equipment', () => {
  it('passes equipment with pairing, a changed initial password and least privilege', () => {
    expect(
      judge('A25', { identityVerificationOrPairing: true, initialPasswordChanged: true, leastPrivilege: true }).status,
    ).toBe('pass');
  });

  it('fails equipment that still has its initial password', () => {
    const v = judge('A25', {
      identityVerificationOrPairing: true,
      initialPasswordChanged: false,
      leastPrivilege: true,
    });
    expect(v.reason).toBe('IoT device "Lobby camera 2" still has its initial password (A25).');
  });

  it('needs evidence naming every unrecorded control', () => {
    expect(judge('A25', { identityVerificationOrPairing: true }).reason).toMatch(
      /not recorded: whether the initial password was changed and whether users have least privilege/,
    );
  });

  it('does not apply to a sensor without management functions (A31)', () => {
    expect(judge('A25', { sensorWithoutManagement: true, initialPasswordChanged: false }).status).toBe(
      'not-applicable',
    );
  });
});

describe('A26 connections and services', () => {
  it('passes wired equipment on a private address with nothing unnecessary open', () => {
    expect(judge('A26', wellConnected).status).toBe('pass');
  });

  it('fails an IoT device with a public address and no front firewall', () => {
    const v = judge('A26', {
      ...wellConnected,
      ipAddresses: [],
      publicAddress: true,
      frontFirewall: false,
      whitelistFiltering: true,
    });
    expect(v).toMatchObject({ status: 'fail', recordType: 'iot-devices', recordName: 'Lobby camera 2' });
    expect(v.reason).toBe('IoT device "Lobby camera 2" has a public address without a front firewall (A26).');
  });

  it('passes a public address behind a front firewall with whitelist filtering', () => {
    const v = judge('A26', { ...wellConnected, publicAddress: true, frontFirewall: true, whitelistFiltering: true });
    expect(v.status).toBe('pass');
  });

  it('treats a listed public address as public even when the register says otherwise', () => {
    const v = judge('A26', {
      ...wellConnected,
      ipAddresses: ['203.0.113.7'],
      frontFirewall: false,
      whitelistFiltering: false,
    });
    expect(v.reason).toMatch(/has a public address \(203\.0\.113\.7\) without a front firewall or whitelist filtering/);
  });

  it('fails telnet, FTP, plain HTTP administration and SNMP found by a scan, naming port and banner', () => {
    const v = judge('A26', {
      ...wellConnected,
      openServices: [
        { port: 23, protocol: 'tcp', service: 'telnet', banner: 'BusyBox v1.19 telnetd' },
        { port: 21, protocol: 'tcp', service: 'ftp', banner: null },
        { port: 8080, protocol: 'tcp', service: 'http', banner: 'HTTP/1.1 200 OK\r\nServer: GoAhead-Webs' },
        { port: 161, protocol: 'udp', service: 'snmp', banner: 'public' },
      ],
    });
    expect(v.status).toBe('fail');
    expect(v.reason).toBe(
      'IoT device "Lobby camera 2" exposes Telnet on port 23/tcp (banner "BusyBox v1.19 telnetd"), FTP on port 21/tcp, ' +
        'plain HTTP administration on port 8080/tcp (banner "HTTP/1.1 200 OK Server: GoAhead-Webs") and SNMP on port 161/udp (banner "public") (A26).',
    );
  });

  it('fails a scan finding even when the register says unnecessary services are disabled', () => {
    const v = judge('A26', {
      ...wellConnected,
      openServices: [{ port: 23, protocol: 'tcp', service: null, banner: null }],
    });
    expect(v.status).toBe('fail');
  });

  it('does not flag the ports the equipment is for, nor a plain HTTP port that only redirects to HTTPS', () => {
    const v = judge('A26', {
      ...wellConnected,
      kind: 'printer',
      openServices: [
        { port: 9100, protocol: 'tcp', service: 'jetdirect', banner: null },
        { port: 631, protocol: 'tcp', service: 'ipp', banner: null },
        {
          port: 80,
          protocol: 'tcp',
          service: 'http',
          banner: 'HTTP/1.1 301 Moved Permanently\r\nLocation: https://printer.local/',
        },
        { port: 514, protocol: 'udp', service: 'syslog', banner: null },
      ],
    });
    expect(v.status).toBe('pass');
  });

  it('fails wireless equipment without an encrypted access point', () => {
    const v = judge('A26', { ...wellConnected, wireless: true, encryptedAccessPoint: false, nicWhitelist: true });
    expect(v.reason).toMatch(/connects wirelessly without an encrypted access point/);
  });

  it('fails wireless equipment without a NIC whitelist or other protection, and accepts another protection', () => {
    const wireless = { ...wellConnected, wireless: true, encryptedAccessPoint: true };
    expect(judge('A26', { ...wireless, nicWhitelist: false }).reason).toMatch(
      /without a NIC whitelist or other protection/,
    );
    const other = judge('A26', {
      ...wireless,
      nicWhitelist: false,
      wirelessOtherProtection: '802.1X with device certificates',
    });
    expect(other.status).toBe('pass');
    expect(other.reason).toMatch(/protected by 802\.1X with device certificates/);
  });

  it('needs evidence when exposure and wireless use are not recorded', () => {
    const v = judge('A26', { unnecessaryServicesDisabled: true });
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toMatch(
      /not recorded: whether it has a public Internet address and whether it connects wirelessly/,
    );
  });

  it('binds a sensor without management functions too (A31), but not retired equipment', () => {
    expect(
      judge('A26', {
        sensorWithoutManagement: true,
        unnecessaryServicesDisabled: false,
        publicAddress: false,
        wireless: false,
      }).status,
    ).toBe('fail');
    expect(judge('A26', { retired: true }).status).toBe('not-applicable');
  });
});

describe('A27 purchase evaluation', () => {
  it('passes evaluated equipment and tells whether it carries a certification mark', () => {
    expect(judge('A27', { purchaseEvaluated: true, certificationMark: true }).reason).toMatch(
      /it carries an information security/,
    );
  });

  it('does not fail equipment only for lacking the preferred certification mark', () => {
    const v = judge('A27', { purchaseEvaluated: true, certificationMark: false });
    expect(v.status).toBe('pass');
    expect(v.reason).toMatch(/prefers but does not require/);
  });

  it('fails equipment bought without evaluation against A24 and A26', () => {
    expect(judge('A27', { purchaseEvaluated: false, certificationMark: true }).status).toBe('fail');
  });

  it('needs evidence when the evaluation is not recorded', () => {
    expect(judge('A27', {}).status).toBe('needs-evidence');
  });
});

describe('A28 supplier agreements', () => {
  const terms = {
    securityTerms: true,
    securityUpdatePeriodMonths: 36,
    vulnerabilityReporting: true,
    actionPlans: true,
  };
  const agreement = (fields: Partial<RegisterRecord<'supplier-agreements'>> = {}) =>
    makeRecord('supplier-agreements', { name: 'Camera purchase 2025', supplier: 'Vivid Vision Ltd.', ...fields });

  it('passes an agreement with security terms, an update period, vulnerability reporting and action plans', () => {
    const a = agreement(terms);
    expect(verdictFor(evaluate('A28', snapshotWith({ 'supplier-agreements': [a] })), a).reason).toMatch(
      /36-month security update period/,
    );
  });

  it('fails an agreement that does not oblige the supplier to report known vulnerabilities', () => {
    const a = agreement({ ...terms, vulnerabilityReporting: false });
    const v = verdictFor(evaluate('A28', snapshotWith({ 'supplier-agreements': [a] })), a);
    expect(v.reason).toBe(
      'Supplier agreement "Camera purchase 2025" with Vivid Vision Ltd. does not oblige the supplier to report known vulnerabilities (A28).',
    );
  });

  it('needs evidence for an agreement without an update period, and for a device naming a missing agreement', () => {
    const a = agreement({ ...terms, securityUpdatePeriodMonths: null });
    const d = device({ supplierAgreementId: 'sup_missing000000' });
    const verdicts = evaluate('A28', snapshotWith({ 'supplier-agreements': [a], 'iot-devices': [d] }));
    expect(verdictFor(verdicts, a).reason).toMatch(/not recorded: period for security updates/);
    expect(verdictFor(verdicts, d).reason).toMatch(/sup_missing000000, which is not in the register/);
  });

  it('does not apply without a signed agreement, nor to an agreement covering only retired equipment', () => {
    expect(evaluate('A28', devices(device()))).toEqual([expect.objectContaining({ status: 'not-applicable' })]);
    const a = agreement({ securityTerms: false });
    const d = device({ supplierAgreementId: a.id, retired: true });
    expect(
      verdictFor(evaluate('A28', snapshotWith({ 'supplier-agreements': [a], 'iot-devices': [d] })), a).status,
    ).toBe('not-applicable');
  });
});

describe('A29 IoT security training', () => {
  const training = (date: string, topics: RegisterRecord<'trainings'>['topics'] = ['iot-security']) =>
    makeRecord('trainings', { name: `IoT training ${date}`, date, topics });

  it('passes one day before the next training falls due', () => {
    expect(evaluate('A29', snapshotWith({ trainings: [training('2025-09-15')] }), '2026-09-14')[0]).toMatchObject({
      status: 'pass',
      dueDate: '2026-09-15',
      recordType: 'trainings',
    });
  });

  it('fails one day after the next training fell due', () => {
    expect(evaluate('A29', snapshotWith({ trainings: [training('2025-09-15')] }), '2026-09-16')[0]).toMatchObject({
      status: 'fail',
      dueDate: '2026-09-15',
    });
  });

  it('takes the period from the node’s cadence, not from the rule', () => {
    const registers = snapshotWith({ trainings: [training('2025-09-15')] });
    expect(
      evaluate('A29', registers, undefined, threeMonthly(contextFor('A29', registers, '2025-12-16')))[0]?.status,
    ).toBe('fail');
  });

  it('counts only held IoT security trainings: not other topics, not sessions planned for later', () => {
    const registers = snapshotWith({
      trainings: [training('2025-01-10'), training('2026-05-01', ['cloud']), training('2026-08-01')],
    });
    expect(evaluate('A29', registers, '2026-06-15')[0]).toMatchObject({ status: 'fail', dueDate: '2026-01-10' });
  });

  it('needs evidence when no IoT security training is recorded', () => {
    expect(evaluate('A29', snapshotWith({}))[0]?.status).toBe('needs-evidence');
  });
});

describe('A30 exceptions', () => {
  it('does not apply to equipment without a recorded exception', () => {
    expect(judge('A30', {}).status).toBe('not-applicable');
  });

  it('passes exception equipment disconnected from the Internet', () => {
    expect(judge('A30', { exception: 'unfixable-defect', exceptionDisconnected: true }).status).toBe('pass');
  });

  it('passes exception equipment on an isolated segment with a replacement plan', () => {
    const v = judge('A30', {
      exception: 'function-limitation',
      exceptionIsolatedSegment: true,
      replacementPlanDate: '2026-12-31',
    });
    expect(v.status).toBe('pass');
  });

  it('fails exception equipment still connected and not isolated', () => {
    const v = judge('A30', {
      exception: 'unfixable-defect',
      exceptionDisconnected: false,
      exceptionIsolatedSegment: false,
    });
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(
      /\(exception: a defect no update can fix\) is still connected to the Internet and not on an independent network segment/,
    );
  });

  it('needs evidence for isolated exception equipment without a replacement plan', () => {
    const v = judge('A30', {
      exception: 'unfixable-defect',
      exceptionDisconnected: false,
      exceptionIsolatedSegment: true,
    });
    expect(v.status).toBe('needs-evidence');
    expect(v.reason).toMatch(/not recorded: plan to retire and replace it/);
  });
});

describe('A31 sensors without management functions', () => {
  const sensor: DeviceFields = {
    ...wellConnected,
    name: 'Door sensor 4',
    kind: 'sensor',
    sensorWithoutManagement: true,
    purpose: 'Door open alarm',
    location: 'Server room door',
    physicalAccessControlled: true,
    purchaseEvaluated: true,
  };

  it('passes a sensor that meets the device duties of A23 and A26-A30', () => {
    const v = judge('A31', sensor);
    expect(v.status).toBe('pass');
    expect(v.reason).toBe(
      'Sensor "Door sensor 4" without management functions meets A23, A26 and A27, which A31 keeps for it.',
    );
  });

  it('fails a sensor that exposes telnet, citing A26', () => {
    const v = judge('A31', {
      ...sensor,
      openServices: [{ port: 23, protocol: 'tcp', service: 'telnet', banner: null }],
    });
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/falls short of A26, which A31 keeps for it: .*exposes Telnet on port 23\/tcp/);
  });

  it('needs evidence for a sensor missing from the inventory details', () => {
    expect(judge('A31', { ...sensor, purpose: null }).reason).toMatch(/falls short of A23/);
  });

  it('does not apply to managed equipment', () => {
    expect(judge('A31', wellConnected).status).toBe('not-applicable');
  });
});

describe('coverage of chapter V', () => {
  it('covers every requirement of chapter V with text by exactly one rule or attestation', () => {
    const expected = catalog.nodes
      .filter((n) => n.chapter.number === 5 && n.kind === 'requirement' && n.text !== '')
      .map((n) => n.id);
    const covered = [...iotRules.flatMap((r) => r.nodeIds), ...iotAttestations.map((a) => a.nodeId)];
    expect(covered.sort()).toEqual(expected.sort());
  });
});
