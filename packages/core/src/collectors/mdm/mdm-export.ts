import { type MdmMappedField, type MdmMapping, type MdmPreset, mdmMappedFields } from '@ntg/contracts';
import { taipeiDate } from '../../evaluation/taipei-date.ts';
import { CsvSyntaxError, decodeCsv, parseCsv } from '../../registers/csv-format.ts';
import { AppError } from '../../shared/app-error.ts';
import { decodeUtf8Strict } from '../nmap/safe-xml.ts';

/**
 * MDM exports as the tools write them: Microsoft Intune (Graph `managedDevice` fields, or the portal's CSV
 * columns), Jamf Pro (mobile device inventory) and osquery/Fleet (host fields), as CSV or JSON. Each preset maps the
 * tool's names for a fact to ours; a custom mapping does the same for any other tool. Column names are compared
 * without case, spaces or punctuation, so `Serial number`, `serialNumber` and `serial_number` are one column.
 */

export type PostureFlag = boolean | null;

/** One device as the export describes it, in our terms. Null where the export does not say. */
export interface MdmDevice {
  row: number;
  serialNumber: string | null;
  deviceName: string | null;
  user: string | null;
  jailbrokenOrRooted: PostureFlag;
  sensitiveDataEncrypted: PostureFlag;
  transmissionEncrypted: PostureFlag;
  screenLock: PostureFlag;
  /** The date the tool last heard from the device (YYYY-MM-DD, Asia/Taipei). */
  lastSeen: string | null;
  ownership: 'business' | 'byod' | null;
  platform: string | null;
  compliance: string | null;
}

/** The names each tool uses for a fact: API field names first, then the portal's CSV column titles. */
export const mdmPresetMappings: Record<Exclude<MdmPreset, 'custom'>, Partial<Record<MdmMappedField, string[]>>> = {
  intune: {
    serialNumber: ['serialNumber', 'Serial number'],
    deviceName: ['deviceName', 'Device name'],
    user: ['userPrincipalName', 'Primary user UPN', 'emailAddress'],
    jailbrokenOrRooted: ['jailBroken', 'Jailbroken'],
    sensitiveDataEncrypted: ['isEncrypted', 'Encrypted'],
    lastSeen: ['lastSyncDateTime', 'Last check-in'],
    ownership: ['ownerType', 'managedDeviceOwnerType', 'Ownership'],
    platform: ['operatingSystem', 'OS'],
    compliance: ['complianceState', 'Compliance'],
  },
  jamf: {
    serialNumber: ['serialNumber', 'serial_number', 'Serial Number'],
    deviceName: ['name', 'displayName', 'Display Name', 'Device Name'],
    user: ['username', 'Username'],
    jailbrokenOrRooted: ['jailBreakDetected', 'jailbreakDetected', 'Jailbreak Detected'],
    sensitiveDataEncrypted: ['dataProtected', 'dataProtection', 'Data Protection'],
    screenLock: ['passcodePresent', 'Passcode Present', 'Passcode Status'],
    lastSeen: ['lastInventoryUpdate', 'lastInventoryUpdateDate', 'Last Inventory Update'],
    platform: ['osType', 'platform'],
  },
  fleet: {
    serialNumber: ['hardware_serial'],
    deviceName: ['hostname', 'computer_name', 'display_name'],
    user: ['primary_user', 'email'],
    sensitiveDataEncrypted: ['disk_encryption', 'disk_encryption_enabled'],
    lastSeen: ['seen_time'],
    platform: ['platform'],
  },
};

const maxRows = 200_000;

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Serial numbers as a key: case and spaces differ between tools and people. */
export function normalizeSerial(serial: string): string {
  return serial.trim().toUpperCase().replace(/\s+/g, '');
}

const trueWords = new Set([
  'true',
  'yes',
  'y',
  '1',
  'on',
  'enabled',
  'encrypted',
  'protected',
  'present',
  'detected',
  'jailbroken',
  'rooted',
]);
const falseWords = new Set([
  'false',
  'no',
  'n',
  '0',
  'off',
  'disabled',
  'notencrypted',
  'unencrypted',
  'notprotected',
  'unprotected',
  'notpresent',
  'notdetected',
  'none',
]);

/** A yes/no fact as tools spell it ('True', 'Yes', 1, 'Not Present'); 'Unknown' and blanks are not recorded. */
export function parseFlag(value: unknown): PostureFlag {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value !== 'string') return null;
  const word = value
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
  if (trueWords.has(word)) return true;
  if (falseWords.has(word)) return false;
  return null;
}

/** A date or time as tools write it (ISO-8601, "2026-03-01 10:00:00", epoch seconds or ms), as a Taipei date. */
export function parseSeenDate(value: unknown): string | null {
  let time: number;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    time = value > 1e12 ? value : value * 1000;
  } else if (typeof value === 'string' && value.trim() !== '') {
    const v = value.trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
    if (/^\d{9,13}$/.test(v)) return parseSeenDate(Number(v));
    const iso = v.replace(' ', 'T');
    // A time without a zone is read as UTC: tools export in UTC unless they say otherwise.
    time = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(iso) || !iso.includes('T') ? iso : `${iso}Z`);
  } else {
    return null;
  }
  if (!Number.isFinite(time)) return null;
  const date = new Date(time);
  // Graph writes 0001-01-01T00:00:00Z for "never synced".
  return date.getUTCFullYear() < 2000 ? null : taipeiDate(date);
}

function ownershipOf(value: unknown): MdmDevice['ownership'] {
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  if (v === 'company' || v === 'corporate' || v === 'business' || v === 'institutional') return 'business';
  if (v === 'personal' || v === 'byod' || v === 'employee') return 'byod';
  return null;
}

function textOf(value: unknown, max = 200): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return t === '' ? null : Array.from(t).slice(0, max).join('');
}

type Row = Map<string, unknown>;

/** Flattens a JSON object to leaf keys (Jamf nests `security.dataProtected`); the first occurrence wins. */
function flatten(value: unknown, out: Row, depth: number): void {
  if (depth > 8 || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, out, depth + 1);
    else {
      const key = normalizeKey(k);
      if (!out.has(key)) out.set(key, v);
    }
  }
}

function jsonRows(text: string): Row[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `The MDM export is not valid JSON: ${(error as Error).message}.`);
  }
  // Graph pages ({ value: [...] }), Jamf ({ results: [...] } / { mobile_devices: [...] }), Fleet ({ hosts: [...] }).
  const list = Array.isArray(value)
    ? value
    : value !== null && typeof value === 'object'
      ? ['value', 'results', 'mobile_devices', 'mobileDevices', 'hosts', 'devices']
          .map((k) => (value as Record<string, unknown>)[k])
          .find(Array.isArray)
      : undefined;
  if (!Array.isArray(list)) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The MDM export is JSON but holds no list of devices (an array, or value/results/hosts/devices).',
    );
  }
  if (list.length > maxRows)
    throw new AppError('VALIDATION_FAILED', `The MDM export has more than ${maxRows} devices.`);
  return list.map((item) => {
    const row: Row = new Map();
    flatten(item, row, 0);
    return row;
  });
}

function csvRows(bytes: Uint8Array): Row[] {
  const text = decodeCsv(bytes);
  let header: string[] | null = null;
  const rows: Row[] = [];
  try {
    parseCsv(text, (cells) => {
      if (cells.length === 1 && cells[0]?.trim() === '') return;
      if (header === null) {
        header = cells.map(normalizeKey);
        return;
      }
      if (rows.length >= maxRows) throw new CsvSyntaxError(rows.length + 2, `more than ${maxRows} devices`);
      const row: Row = new Map();
      header.forEach((key, i) => {
        if (!row.has(key)) row.set(key, cells[i] ?? '');
      });
      rows.push(row);
    });
  } catch (error) {
    if (error instanceof CsvSyntaxError) {
      throw new AppError('VALIDATION_FAILED', `The MDM export is not valid CSV: row ${error.row}: ${error.message}.`);
    }
    throw error;
  }
  if (header === null) throw new AppError('VALIDATION_FAILED', 'The MDM export is empty.');
  return rows;
}

/** The mapping in force: the preset's names, with a custom mapping's columns taking precedence. */
export function mappingFor(
  preset: MdmPreset,
  custom: MdmMapping | undefined,
): Partial<Record<MdmMappedField, string[]>> {
  const base = preset === 'custom' ? {} : mdmPresetMappings[preset];
  const out: Partial<Record<MdmMappedField, string[]>> = { ...base };
  for (const field of mdmMappedFields) {
    const column = custom?.[field];
    if (column !== undefined) out[field] = [column];
  }
  if (out.serialNumber === undefined) {
    throw new AppError(
      'VALIDATION_FAILED',
      'The MDM mapping names no serial number column: devices are matched to the register by serial number.',
      { issues: [{ path: 'mapping', message: 'give serialNumber:COLUMN' }] },
    );
  }
  return out;
}

/** JSON when the text starts with [ or { (after a byte order mark and white space); CSV otherwise. */
export function isJsonExport(bytes: Uint8Array): boolean {
  const head = new TextDecoder()
    .decode(bytes.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('[') || head.startsWith('{');
}

/** Reads an MDM export (CSV, or JSON when it starts with [ or {) into devices, by the preset or mapping. */
export function readMdmExport(bytes: Uint8Array, preset: MdmPreset, custom?: MdmMapping): MdmDevice[] {
  const mapping = mappingFor(preset, custom);
  const rows = isJsonExport(bytes)
    ? jsonRows(decodeUtf8Strict(bytes, 'MDM export').replace(/^\uFEFF/, ''))
    : csvRows(bytes);
  const keys = Object.fromEntries(mdmMappedFields.map((f) => [f, (mapping[f] ?? []).map(normalizeKey)])) as Record<
    MdmMappedField,
    string[]
  >;
  if (rows.length > 0 && !keys.serialNumber.some((k) => rows.some((r) => r.has(k)))) {
    throw new AppError(
      'VALIDATION_FAILED',
      `The MDM export has no serial number column (looked for ${(mapping.serialNumber ?? []).join(', ')}); ` +
        'check the preset, or give a custom mapping.',
    );
  }
  return rows.map((row, i) => {
    const get = (field: MdmMappedField): unknown => {
      for (const k of keys[field]) if (row.has(k)) return row.get(k);
      return undefined;
    };
    return {
      // A spreadsheet's row number: the header is row 1.
      row: i + 2,
      serialNumber: textOf(get('serialNumber'), 100),
      deviceName: textOf(get('deviceName')),
      user: textOf(get('user')),
      jailbrokenOrRooted: parseFlag(get('jailbrokenOrRooted')),
      sensitiveDataEncrypted: parseFlag(get('sensitiveDataEncrypted')),
      transmissionEncrypted: parseFlag(get('transmissionEncrypted')),
      screenLock: parseFlag(get('screenLock')),
      lastSeen: parseSeenDate(get('lastSeen')),
      ownership: ownershipOf(get('ownership')),
      platform: textOf(get('platform'), 50),
      compliance: textOf(get('compliance'), 50),
    };
  });
}
