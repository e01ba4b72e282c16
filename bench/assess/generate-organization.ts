import type { RegisterType } from '@ntg/contracts';
import { registerDefinitions } from '@ntg/contracts';
import type { StoredRecord } from '@ntg/core';

/** Deterministic pseudo-random numbers, so every run measures the same data. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const at = '2026-11-01T00:00:00.000Z';

function rec(
  organizationId: string,
  register: RegisterType,
  i: number,
  name: string,
  owner: string,
  data: Record<string, unknown>,
): StoredRecord {
  const prefix = registerDefinitions[register].prefix;
  return {
    organizationId,
    register,
    id: `${prefix}_bench${String(i).padStart(10, '0')}`,
    name,
    owner,
    notes: null,
    data,
    revision: 1,
    createdAt: at,
    updatedAt: at,
  };
}

export interface Sizes {
  mobileDevices: number;
  iotDevices: number;
  cloudServices: number;
  appReleases: number;
}

export const issueSizes: Sizes = { mobileDevices: 100_000, iotDevices: 20_000, cloudServices: 2_000, appReleases: 500 };

/**
 * A large organization shaped like a big broker's registers: mostly compliant records with a few percent of gaps,
 * so evaluation does real work on every record and opens a realistic number of findings.
 */
export function* generateRecords(organizationId: string, sizes: Sizes): Generator<StoredRecord> {
  const r = lcg(42);
  const chance = (p: number) => r() < p;
  const date = (base: string, spreadDays: number) => {
    const d = new Date(`${base}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - Math.floor(r() * spreadDays));
    return d.toISOString().slice(0, 10);
  };
  /** A yearly duty: done within the last 11 months, except for about 1% of records that are overdue. */
  const yearly = () => (chance(0.01) ? date('2025-10-31', 60) : date('2026-11-01', 330));
  const depts = [
    'Brokerage Dept.',
    'Trading Dept.',
    'IT Dept.',
    'Compliance Dept.',
    'Branch Taipei',
    'Branch Kaohsiung',
  ];
  const dept = () => depts[Math.floor(r() * depts.length)] ?? 'IT Dept.';

  const agreements = Math.ceil(sizes.mobileDevices / 20);
  for (let i = 0; i < agreements; i++) {
    yield rec(organizationId, 'byod-agreements', i, `BYOD agreement ${i}`, 'HR Dept.', {
      deviceOwner: `Employee ${i}`,
      purpose: 'Mobile order entry',
      periodStart: '2026-01-01',
      periodEnd: '2027-12-31',
      dataTypes: ['client orders'],
      useRestrictionsAndLiabilities: true,
      signedDate: chance(0.995) ? date('2026-10-01', 300) : null,
      lastReviewDate: yearly(),
      internetViaInternalEquipmentProhibited: true,
    });
  }
  for (let i = 0; i < sizes.mobileDevices; i++) {
    const byod = chance(0.3);
    yield rec(organizationId, 'mobile-devices', i, `Device ${i}`, dept(), {
      ownership: byod ? 'byod' : 'business',
      holder: `Employee ${i}`,
      platform: chance(0.5) ? 'ios' : 'android',
      serialNumber: `SN${i}`,
      handlesSensitiveAffairs: true,
      storesSensitiveData: chance(0.6),
      screenLock: chance(0.99),
      identityVerification: chance(0.98),
      managedSettings: chance(0.97),
      osExaminedDate: yearly(),
      antivirusExaminedDate: yearly(),
      antivirusInstalled: chance(0.98),
      jailbrokenOrRooted: chance(0.005),
      remoteOrAutoWipe: chance(0.98),
      wirelessRestricted: chance(0.9),
      transmissionEncrypted: chance(0.99),
      sensitiveDataEncrypted: chance(0.98),
      approvedAppsOnly: chance(0.97),
      mdmEnrolled: chance(0.98),
      lastPostureDate: date('2026-11-01', 30),
      postureSource: 'intune',
      previousHolder: null,
      holderChangedDate: null,
      resetOnHolderChange: null,
      byodAgreementId: byod ? `byod_bench${String(i % agreements).padStart(10, '0')}` : null,
      retired: false,
    });
  }
  for (let i = 0; i < sizes.iotDevices; i++) {
    const publicAddress = chance(0.02);
    yield rec(organizationId, 'iot-devices', i, `OA device ${i}`, 'General Affairs', {
      kind: (['copier', 'printer', 'surveillance', 'ip-pbx', 'fax'] as const)[i % 5],
      purpose: 'Office equipment',
      location: `Floor ${1 + (i % 20)}`,
      ipAddresses: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
      macAddresses: [],
      networkSegment: 'OA VLAN',
      physicalAccessControlled: true,
      securityUpdateMechanism: chance(0.97),
      lastSecurityUpdateDate: yearly(),
      identityVerificationOrPairing: true,
      initialPasswordChanged: chance(0.98),
      leastPrivilege: true,
      unnecessaryServicesDisabled: chance(0.97),
      publicAddress,
      frontFirewall: publicAddress ? chance(0.5) : null,
      whitelistFiltering: publicAddress ? chance(0.5) : null,
      wireless: false,
      encryptedAccessPoint: null,
      nicWhitelist: null,
      openServices: chance(0.01) ? [{ port: 23, protocol: 'tcp', service: 'telnet', banner: 'login:' }] : [],
      lastScanDate: date('2026-11-01', 30),
      purchaseEvaluated: true,
      certificationMark: chance(0.5),
      supplierAgreementId: null,
      exception: 'none',
      exceptionDisconnected: null,
      exceptionIsolatedSegment: null,
      replacementPlanDate: null,
      sensorWithoutManagement: false,
      retired: false,
    });
  }
  for (let i = 0; i < sizes.cloudServices; i++) {
    yield rec(organizationId, 'cloud-services', i, `Cloud service ${i}`, 'IT Dept.', {
      provider: ['Azure', 'AWS', 'Google Cloud', 'HiCloud'][i % 4],
      serviceModel: (['IaaS', 'PaaS', 'SaaS'] as const)[i % 3],
      privateInternal: false,
      involvesCore: chance(0.2),
      riskEvaluationDate: date('2026-06-01', 300),
      riskEvaluationResult: 'acceptable',
      compensatingMeasures: null,
      backupSystemEvaluated: chance(0.97),
      contractedRecoveryTimeHours: 4,
      dataOwnershipClause: true,
      providerAccessLimitedClause: chance(0.98),
      lastReviewDate: yearly(),
      transferProtocols: chance(0.99) ? ['HTTPS'] : ['FTP'],
      clientDataStored: chance(0.5),
      clientDataEncrypted: chance(0.98),
      keyManagementSystem: true,
      serviceQualityAgreement: true,
      serviceQualityReportsReceivedDate: yearly(),
      incidentNotificationClause: true,
      emergencyResponsePlan: chance(0.97),
      exitPlan: chance(0.95),
    });
  }
  const apps = 10;
  for (let i = 0; i < apps; i++) {
    yield rec(organizationId, 'mobile-apps', i, `App ${i}`, 'Digital Dept.', {
      platforms: ['ios', 'android'],
      forInvestors: i < 3,
      messageDeidentification: true,
      fakeAppDetection: true,
      compromisedDeviceAlert: true,
      labReportReviewProcedure: true,
    });
  }
  for (let i = 0; i < sizes.appReleases; i++) {
    yield rec(organizationId, 'app-releases', i, `Release ${i}`, 'Digital Dept.', {
      appId: `app_bench${String(i % apps).padStart(10, '0')}`,
      version: `1.${i}`,
      releaseDate: date('2026-11-01', 700),
      firstRelease: i < apps,
      importantUpdateAreas: chance(0.3) ? ['placing-orders'] : [],
      permissionsRequested: ['camera', 'biometric'],
      permissionsApproved: chance(0.98) ? ['camera', 'biometric'] : ['camera'],
      securityApprovalDate: date('2026-11-01', 700),
      complianceApprovalDate: date('2026-11-01', 700),
      approvalRecordKept: true,
      publishedOn: ['app-store', 'google-play'],
      sensitiveDataAndPermissionsDisclosed: true,
      labName: 'Accredited Lab',
      labTafAccredited: true,
      labTestDate: date('2026-11-01', 500),
      labResult: 'pass',
      owaspMobileTestDate: date('2026-11-01', 300),
      owaspMobileTestResult: 'pass',
      labReportReviewedDate: date('2026-11-01', 300),
    });
  }
}
