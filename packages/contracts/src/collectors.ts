import { z } from 'zod';
import { evidenceIdSchema, sha256HexSchema } from './evidence.ts';
import { iotDeviceKinds } from './registers/iot-registers.ts';
import { recordIdSchema } from './registers/register-fields.ts';

/**
 * Collectors gather evidence nobody types: a TLS scan of an endpoint (A5.3, A35.1), an nmap report of the office
 * network (A23, A25, A26, A30), an MDM export (A17, A18) and a mobile app package (A19, A20). Every run keeps its
 * raw input or output as evidence and leaves one collector run row; register changes go through the register
 * service, so they are audited like a person's edit and trigger re-evaluation.
 */
export const collectorRunKinds = ['tls-scan', 'nmap-import', 'mdm-import', 'app-inspect'] as const;
export const collectorRunKindSchema = z.enum(collectorRunKinds);
export type CollectorRunKind = z.infer<typeof collectorRunKindSchema>;

export const collectorRunIdSchema = z.string().regex(/^crun_[0-9a-z]{10,40}$/, 'a collector run id looks like crun_…');

export const collectorRunSchema = z.object({
  id: collectorRunIdSchema,
  organizationId: z.string(),
  kind: collectorRunKindSchema,
  /** What was collected from: an endpoint (host:port), a file name, a release id. */
  target: z.string(),
  /** `error` when the collector could not finish its job (an unreachable endpoint, a scan that did not complete). */
  status: z.enum(['ok', 'error']),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** SHA-256 of the raw input (report, export, package) or, for a TLS scan, of the facts it stored. */
  rawSha256: sha256HexSchema,
  evidenceId: evidenceIdSchema.nullable(),
  /** Who ran it: `user:api-token`, `cli:alice`, `system:scheduler`. */
  actor: z.string(),
  /** What the run found, by kind (see the *SummarySchema below). */
  summary: z.record(z.string(), z.unknown()),
  error: z.string().nullable(),
});
export type CollectorRun = z.infer<typeof collectorRunSchema>;

export const collectorRunListQuerySchema = z.object({
  kind: collectorRunKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const collectorRunListResponseSchema = z.object({ runs: z.array(collectorRunSchema) });

/** An open port as the device said it: the banner, product and version text are kept raw. */
export const observedPortSchema = z.object({
  port: z.number().int().min(0).max(65535),
  protocol: z.enum(['tcp', 'udp']),
  service: z.string().nullable(),
  banner: z.string().nullable(),
});
export type ObservedPort = z.infer<typeof observedPortSchema>;

/** A host an nmap scan saw up that no IoT equipment record matches (A23): a proposal, never created silently. */
export const discoveredDeviceSchema = z.object({
  addresses: z.array(z.string()),
  macAddresses: z.array(z.string()),
  /** The vendor nmap derived from the MAC address prefix, if any. */
  vendor: z.string().nullable(),
  hostnames: z.array(z.string()),
  openPorts: z.array(observedPortSchema),
  /** nmap's best operating system guess, if it made one. */
  osGuess: z.string().nullable(),
});
export type DiscoveredDevice = z.infer<typeof discoveredDeviceSchema>;

/** Where the scanner sat: A30 asks that exception equipment be unreachable from the intranet. */
export const networkVantageSchema = z.enum(['intranet', 'segment']);
export type NetworkVantage = z.infer<typeof networkVantageSchema>;

export const nmapImportQuerySchema = z
  .object({
    vantage: networkVantageSchema
      .default('intranet')
      .describe('intranet: scanned from the office network (default); segment: from inside an isolated segment'),
    filename: z.string().trim().min(1).max(200).optional().describe('name of the report file, kept with the evidence'),
  })
  .strict();

export const nmapImportSummarySchema = z.object({
  scanner: z.object({ version: z.string().nullable(), args: z.string().nullable(), startedAt: z.string().nullable() }),
  vantage: networkVantageSchema,
  /** Ports and protocols the scan covered, as nmap states them (tcp: "1-65535"). */
  scanned: z.array(z.object({ protocol: z.enum(['tcp', 'udp']), ports: z.string() })),
  hostsUp: z.number().int(),
  matched: z.array(
    z.object({
      deviceId: recordIdSchema,
      deviceName: z.string(),
      matchedBy: z.enum(['mac', 'address']),
      addresses: z.array(z.string()),
      macAddresses: z.array(z.string()),
      openPorts: z.array(observedPortSchema),
      /** Default credentials a script proved (A25): http-default-accounts, ftp-anon, snmp-brute. */
      defaultCredentials: z.array(z.string()),
      updated: z.boolean(),
    }),
  ),
  discovered: z.array(discoveredDeviceSchema),
  /** Hosts that match a retired record: retired equipment still on the network. */
  retiredSeen: z.array(z.object({ deviceId: recordIdSchema, deviceName: z.string(), addresses: z.array(z.string()) })),
  /** Hosts whose address matches more than one record: left alone until the inventory is corrected. */
  ambiguous: z.array(z.object({ addresses: z.array(z.string()), deviceIds: z.array(recordIdSchema) })),
  problems: z.array(z.string()),
});
export type NmapImportSummary = z.infer<typeof nmapImportSummarySchema>;

export const nmapImportResultSchema = z.object({ run: collectorRunSchema, summary: nmapImportSummarySchema });
export type NmapImportResult = z.infer<typeof nmapImportResultSchema>;

export const discoveredDevicesResponseSchema = z.object({
  /** The nmap run the list comes from (the newest), or null before any import. */
  runId: collectorRunIdSchema.nullable(),
  scannedAt: z.string().nullable(),
  devices: z.array(discoveredDeviceSchema),
});

/** A host of the newest scan's discovered devices, named by one of its MAC addresses or IP addresses. */
const discoveredHostSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .describe('a MAC address (00:1a:2b:3c:4d:5e) or an IP address of the discovered host');

/**
 * `POST …/discovered-devices/adopt`: records a discovered host as IoT equipment (A23), with the addresses, MAC
 * addresses, open services and scan date the scan saw; the person adds what a scan cannot know.
 */
export const adoptDiscoveredDeviceSchema = z
  .object({
    host: discoveredHostSchema,
    name: z.string().trim().min(1).max(300),
    owner: z.string().trim().min(1).max(200),
    kind: z.enum(iotDeviceKinds),
    purpose: z.string().trim().max(500).nullable().default(null),
    location: z.string().trim().max(200).nullable().default(null),
    notes: z.string().trim().max(4000).nullable().default(null),
  })
  .strict();
export type AdoptDiscoveredDevice = z.input<typeof adoptDiscoveredDeviceSchema>;

/**
 * `POST …/discovered-devices/dismiss`: records that a discovered host is not IoT equipment, with the reason (A23),
 * in the network-exclusions register; it stops counting as missing from the inventory.
 */
export const dismissDiscoveredDeviceSchema = z
  .object({
    host: discoveredHostSchema,
    reason: z.string().trim().min(1).max(1000),
    owner: z.string().trim().min(1).max(200),
    /** Who decided; the signed-in user or token when left out. */
    decidedBy: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type DismissDiscoveredDevice = z.input<typeof dismissDiscoveredDeviceSchema>;

/** Tools whose exports have a mapping preset; `custom` takes a mapping for any other tool. */
export const mdmPresets = ['intune', 'jamf', 'fleet', 'custom'] as const;
export const mdmPresetSchema = z.enum(mdmPresets);
export type MdmPreset = z.infer<typeof mdmPresetSchema>;

/** The posture facts an export can carry, each mapped from one column or field of the export. */
export const mdmMappedFields = [
  'serialNumber',
  'deviceName',
  'user',
  'jailbrokenOrRooted',
  'sensitiveDataEncrypted',
  'transmissionEncrypted',
  'screenLock',
  'lastSeen',
  'ownership',
  'platform',
  'compliance',
] as const;
export const mdmMappedFieldSchema = z.enum(mdmMappedFields);
export type MdmMappedField = z.infer<typeof mdmMappedFieldSchema>;
export type MdmMapping = Partial<Record<MdmMappedField, string>>;

/**
 * `serialNumber:Serial,jailbrokenOrRooted:Rooted`: a custom mapping in one string (query strings, the CLI).
 * Column names may not hold a comma or a colon.
 */
export const mdmMappingTextSchema = z
  .string()
  .max(2000)
  .transform((value, ctx): MdmMapping => {
    const out: MdmMapping = {};
    for (const part of value.split(',')) {
      const i = part.indexOf(':');
      const field = mdmMappedFieldSchema.safeParse(i < 0 ? part.trim() : part.slice(0, i).trim());
      const column = i < 0 ? '' : part.slice(i + 1).trim();
      if (!field.success || column === '') {
        ctx.addIssue({
          code: 'custom',
          message: `"${part.trim()}" is not FIELD:COLUMN with FIELD one of ${mdmMappedFields.join(', ')}`,
        });
        return z.NEVER;
      }
      out[field.data] = column;
    }
    return out;
  });

export const mdmImportQuerySchema = z
  .object({
    preset: mdmPresetSchema,
    mapping: mdmMappingTextSchema
      .optional()
      .describe('for preset=custom (or to override a preset): serialNumber:Serial,jailbrokenOrRooted:Rooted,…'),
    filename: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const mdmImportSummarySchema = z.object({
  preset: mdmPresetSchema,
  rows: z.number().int(),
  updated: z.array(
    z.object({
      deviceId: recordIdSchema,
      deviceName: z.string(),
      serialNumber: z.string(),
      changes: z.array(z.string()),
    }),
  ),
  unchanged: z.number().int(),
  /** Devices the export lists that no mobile device record has (by serial number): reported, never created. */
  unknown: z.array(
    z.object({ serialNumber: z.string(), deviceName: z.string().nullable(), user: z.string().nullable() }),
  ),
  /** Rows without a serial number, or with one that several records share. */
  skipped: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  /** Facts the export holds that disagree with the register and are not posture: ownership, for example. */
  notes: z.array(z.string()),
});
export type MdmImportSummary = z.infer<typeof mdmImportSummarySchema>;
export const mdmImportResultSchema = z.object({ run: collectorRunSchema, summary: mdmImportSummarySchema });

export const appSignerSchema = z.object({
  /** v1: META-INF/*.RSA|*.EC|*.DSA (PKCS#7); v2/v3: the APK signing block; provision: embedded.mobileprovision. */
  source: z.enum(['v1', 'v2', 'v3', 'provision']),
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  sha256: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
});

export const appInspectionSchema = z.object({
  kind: z.enum(['apk', 'ipa']),
  filename: z.string(),
  size: z.number().int(),
  sha256: sha256HexSchema,
  /** Android package name or iOS bundle identifier. */
  identifier: z.string().nullable(),
  versionName: z.string().nullable(),
  versionCode: z.string().nullable(),
  /**
   * What the package asks the user or the system for: Android `uses-permission` names; iOS usage description keys
   * (NSCameraUsageDescription, …). These become the release's permissionsRequested (A20.1).
   */
  permissions: z.array(z.string()),
  android: z
    .object({
      debuggable: z.boolean().nullable(),
      allowBackup: z.boolean().nullable(),
      usesCleartextTraffic: z.boolean().nullable(),
      minSdkVersion: z.number().int().nullable(),
      targetSdkVersion: z.number().int().nullable(),
    })
    .nullable(),
  ios: z
    .object({
      usageDescriptions: z.array(z.object({ key: z.string(), text: z.string() })),
      entitlements: z.record(z.string(), z.unknown()).nullable(),
      allowsArbitraryLoads: z.boolean().nullable(),
    })
    .nullable(),
  signers: z.array(appSignerSchema),
  /** Things a reviewer should look at: debuggable, cleartext traffic, no signature found, … */
  warnings: z.array(z.string()),
});
export type AppInspection = z.infer<typeof appInspectionSchema>;

export const appPackageQuerySchema = z
  .object({ filename: z.string().trim().min(1).max(200).describe('the package file name, e.g. app-release.apk') })
  .strict();

export const appPackageResultSchema = z.object({
  run: collectorRunSchema,
  inspection: appInspectionSchema,
  release: z.object({
    id: recordIdSchema,
    permissionsRequested: z.array(z.string()),
    /** Requested permissions nobody approved: A20.1 fails on the next evaluation while any remain. */
    unapproved: z.array(z.string()),
  }),
});

/** `host:port` or `[v6]:port`. */
export const tlsEndpointSchema = z
  .string()
  .trim()
  .max(300)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/, 'an endpoint is HOST:PORT, e.g. trade.example.com.tw:443');

export const tlsScanRequestSchema = z
  .object({
    endpoints: z
      .array(
        z.union([
          tlsEndpointSchema,
          z.object({ endpoint: tlsEndpointSchema, sni: z.string().trim().min(1).max(253).optional() }).strict(),
        ]),
      )
      .min(1)
      .max(20),
    /** PEM bundle of the CAs to trust instead of the system store (a private CA of internal endpoints). */
    caPem: z.string().max(200_000).optional(),
  })
  .strict();
export type TlsScanRequest = z.infer<typeof tlsScanRequestSchema>;

export const tlsScanVerdictSchema = z.object({
  code: z.string(),
  severity: z.enum(['critical', 'high', 'error']),
  message: z.string(),
});

export const tlsEndpointResultSchema = z.object({
  endpoint: z.string(),
  result: z.enum(['pass', 'fail', 'error']),
  verdicts: z.array(tlsScanVerdictSchema),
  /** A5.3 for the endpoint of a cloud service record, A35.1 for the organization's trading endpoints. */
  nodeId: z.enum(['A5.3', 'A35.1']),
  recordId: recordIdSchema.nullable(),
  runId: collectorRunIdSchema,
  evidenceId: evidenceIdSchema.nullable(),
});
export type TlsEndpointResult = z.infer<typeof tlsEndpointResultSchema>;

/** What a tls-scan run keeps in its summary: the verdicts of one endpoint (the facts are in its evidence file). */
export const tlsScanSummarySchema = z.object({
  endpoint: z.string(),
  sni: z.string().nullable(),
  result: z.enum(['pass', 'fail', 'error']),
  verdicts: z.array(tlsScanVerdictSchema),
  nodeId: z.enum(['A5.3', 'A35.1']),
  recordId: recordIdSchema.nullable(),
  /** Protocol versions the endpoint accepted, oldest first. */
  accepted: z.array(z.string()),
});
export type TlsScanSummary = z.infer<typeof tlsScanSummarySchema>;
export const tlsScanResponseSchema = z.object({ results: z.array(tlsEndpointResultSchema) });

/**
 * How each collector stands for an organization: the console's dashboard shows it, so a collector that stopped
 * running (an MDM export nobody imported for weeks, a daily TLS scan that keeps failing) is seen, not assumed.
 */
export const collectorStatusEntrySchema = z.object({
  kind: collectorRunKindSchema,
  /** Runs of this kind ever recorded for the organization. */
  runs: z.number().int().min(0),
  lastRun: collectorRunSchema.nullable(),
  /** The newest run that finished (`ok`): its time is what the evidence is as fresh as. */
  lastOkAt: z.string().nullable(),
  /** Runs that ended in `error` since the last `ok` run. */
  errorsSinceOk: z.number().int().min(0),
  /** `never` (no run), `ok`, `failing` (the newest run is an error) or `stale` (no ok run within staleAfterDays). */
  health: z.enum(['never', 'ok', 'failing', 'stale']),
  staleAfterDays: z.number().int().min(1),
  /** For scheduled collectors (TLS scans): when the server next runs it, if the schedule is on. */
  nextScheduledAt: z.string().nullable(),
});
export type CollectorStatusEntry = z.infer<typeof collectorStatusEntrySchema>;
export const collectorStatusResponseSchema = z.object({
  organizationId: z.string(),
  generatedAt: z.string(),
  collectors: z.array(collectorStatusEntrySchema),
});
export type CollectorStatusResponse = z.infer<typeof collectorStatusResponseSchema>;
