import {
  adoptDiscoveredDeviceSchema,
  appPackageQuerySchema,
  appPackageResultSchema,
  type CollectorStatusResponse,
  collectorRunIdSchema,
  collectorRunListQuerySchema,
  collectorRunListResponseSchema,
  collectorRunSchema,
  collectorStatusResponseSchema,
  discoveredDevicesResponseSchema,
  dismissDiscoveredDeviceSchema,
  errorResponseSchema,
  mdmImportQuerySchema,
  mdmImportResultSchema,
  nmapImportQuerySchema,
  nmapImportResultSchema,
  recordIdSchema,
  recordSchemaOf,
  tlsScanRequestSchema,
  tlsScanResponseSchema,
} from '@ntg/contracts';
import type {
  AppPackageService,
  CollectorRunLog,
  MdmImportService,
  NmapImportService,
  OrganizationService,
  TlsScanCollector,
} from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';

const orgParams = z.object({ org: z.string().min(1).max(80).describe('organization id (org_…) or slug') });
const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  413: errorResponseSchema,
  415: errorResponseSchema,
};

/** APK and IPA files are usually tens of MiB; the body is held in memory while it is inspected. */
export const defaultMaxPackageBytes = 200 * 1024 * 1024;

const xmlTypes = ['application/xml', 'text/xml'];
const mdmTypes = ['text/csv', 'application/csv', 'application/json'];
const packageTypes = [
  'application/vnd.android.package-archive',
  'application/octet-stream',
  'application/zip',
  'application/x-itunes-ipa',
  'application/x-ios-app',
];

/**
 * Reads the listed types as raw bytes in an encapsulated scope (and no other type: anything else is a 415), with
 * the body limit applied while reading, before the bytes are kept.
 */
function acceptRaw(scope: Parameters<FastifyPluginAsyncZod>[0], types: string[], bodyLimit: number): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(types, { parseAs: 'buffer', bodyLimit }, (_r, body, done) => done(null, body));
}

function bytesOf(body: unknown): Uint8Array {
  return Buffer.isBuffer(body) ? body : new Uint8Array(0);
}

/**
 * Collectors: nmap reports and MDM exports imported, app packages attached to a release, TLS endpoints scanned,
 * and the runs they left. Raw bodies are read only in their own encapsulated scopes, so every other route keeps
 * parsing JSON; each route checks the organization, calls one service function and returns its result.
 */
export function collectorRoutes(deps: {
  organizations: Pick<OrganizationService, 'get'>;
  collectorRuns: Pick<CollectorRunLog, 'list' | 'get'>;
  nmapImport: NmapImportService;
  mdmImport: MdmImportService;
  appPackages: AppPackageService;
  tlsScans: Pick<TlsScanCollector, 'scan'>;
  collectorStatus: (organization: { id: string; demo: boolean }) => Promise<CollectorStatusResponse>;
  /** Reports and exports are kept whole as evidence, so they may be as large as an evidence file and no larger. */
  maxEvidenceBytes: number;
  maxPackageBytes?: number;
}): FastifyPluginAsyncZod {
  const maxPackageBytes = deps.maxPackageBytes ?? defaultMaxPackageBytes;

  return async (app) => {
    const nmapRoute: FastifyPluginAsyncZod = async (scope) => {
      acceptRaw(scope, xmlTypes, deps.maxEvidenceBytes);
      scope.post(
        '/api/v1/organizations/:org/imports/nmap',
        {
          bodyLimit: deps.maxEvidenceBytes,
          schema: {
            tags: ['collectors'],
            summary: 'Import an nmap XML report (nmap -sV -oX): IoT equipment ports, scan dates, discovered devices',
            description:
              'The body is the report (Content-Type application/xml). Hosts are matched to IoT equipment records by ' +
              'MAC, then address; their open ports and banners, lastScanDate and proven default accounts update the ' +
              'records (A23, A25, A26); hosts not in the inventory are listed as discovered devices. DTDs and ' +
              'entities are refused.',
            security: [{ bearer: [] }],
            params: orgParams,
            querystring: nmapImportQuerySchema,
            response: { 201: nmapImportResultSchema, ...errors },
          },
        },
        async (request, reply) => {
          const org = await deps.organizations.get(request.params.org);
          const result = await deps.nmapImport.importReport(actorOf(request), org.id, bytesOf(request.body), {
            vantage: request.query.vantage,
            filename: request.query.filename,
          });
          return reply.status(201).send(result);
        },
      );
    };
    await app.register(nmapRoute);

    const mdmRoute: FastifyPluginAsyncZod = async (scope) => {
      acceptRaw(scope, mdmTypes, deps.maxEvidenceBytes);
      scope.post(
        '/api/v1/organizations/:org/imports/mdm',
        {
          bodyLimit: deps.maxEvidenceBytes,
          schema: {
            tags: ['collectors'],
            summary: 'Import an MDM export (Intune, Jamf, Fleet or custom mapping) into mobile device posture',
            description:
              'The body is the export as CSV (text/csv) or JSON (application/json). Devices are matched to mobile ' +
              'device records by serial number; unknown devices are reported, never created (A17, A18).',
            security: [{ bearer: [] }],
            params: orgParams,
            querystring: mdmImportQuerySchema,
            response: { 201: mdmImportResultSchema, ...errors },
          },
        },
        async (request, reply) => {
          const org = await deps.organizations.get(request.params.org);
          const result = await deps.mdmImport.importExport(actorOf(request), org.id, bytesOf(request.body), {
            preset: request.query.preset,
            mapping: request.query.mapping,
            filename: request.query.filename,
          });
          return reply.status(201).send(result);
        },
      );
    };
    await app.register(mdmRoute);

    const packageRoute: FastifyPluginAsyncZod = async (scope) => {
      acceptRaw(scope, packageTypes, maxPackageBytes);
      scope.post(
        '/api/v1/organizations/:org/registers/app-releases/:id/package',
        {
          bodyLimit: maxPackageBytes,
          schema: {
            tags: ['collectors'],
            summary: 'Attach an APK or IPA to a release: its requested permissions become permissionsRequested',
            description:
              'The body is the package (application/vnd.android.package-archive or application/octet-stream). ' +
              'A permission the package requests that nobody approved fails A20.1 on the next evaluation.',
            security: [{ bearer: [] }],
            params: orgParams.extend({ id: recordIdSchema }),
            querystring: appPackageQuerySchema,
            response: { 201: appPackageResultSchema, ...errors },
          },
        },
        async (request, reply) => {
          const org = await deps.organizations.get(request.params.org);
          const result = await deps.appPackages.attachToRelease(
            actorOf(request),
            org.id,
            request.params.id,
            bytesOf(request.body),
            request.query.filename,
          );
          return reply.status(201).send(result);
        },
      );
    };
    await app.register(packageRoute);

    app.post(
      '/api/v1/organizations/:org/scans/tls',
      {
        schema: {
          tags: ['collectors'],
          summary: 'Scan TLS endpoints: cloud service endpoints serve A5.3, the trading endpoints A35.1',
          description:
            'Each endpoint is scanned (protocol versions, cipher suites, certificates) and judged by the A35.1 ' +
            'policy; the facts are kept as evidence and a collector run per endpoint is recorded.',
          security: [{ bearer: [] }],
          params: orgParams,
          body: tlsScanRequestSchema,
          response: { 200: tlsScanResponseSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return { results: await deps.tlsScans.scan(actorOf(request), org.id, request.body) };
      },
    );

    app.get(
      '/api/v1/organizations/:org/collector-runs',
      {
        schema: {
          tags: ['collectors'],
          summary: 'Collector runs of the organization, newest first',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: collectorRunListQuerySchema,
          response: { 200: collectorRunListResponseSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return { runs: await deps.collectorRuns.list(org.id, request.query) };
      },
    );

    app.get(
      '/api/v1/organizations/:org/collectors/status',
      {
        schema: {
          tags: ['collectors'],
          summary: 'How each collector stands: runs, the newest run, health (ok, failing, stale, never), next scan',
          description:
            'A collector is failing when its newest run ended in error, and stale when its newest good run is older ' +
            'than staleAfterDays (TLS scan 2, MDM export 31, network scan 92, app package 366): evidence that stopped ' +
            'arriving is shown, not assumed.',
          security: [{ bearer: [] }],
          params: orgParams,
          response: { 200: collectorStatusResponseSchema, ...errors },
        },
      },
      async (request) => deps.collectorStatus(await deps.organizations.get(request.params.org)),
    );

    app.get(
      '/api/v1/organizations/:org/collector-runs/:id',
      {
        schema: {
          tags: ['collectors'],
          summary: 'One collector run: what ran, when, its raw SHA-256, evidence and summary',
          security: [{ bearer: [] }],
          params: orgParams.extend({ id: collectorRunIdSchema }),
          response: { 200: collectorRunSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.collectorRuns.get(org.id, request.params.id);
      },
    );

    app.get(
      '/api/v1/organizations/:org/discovered-devices',
      {
        schema: {
          tags: ['collectors'],
          summary: 'Hosts of the newest network scan that the IoT inventory does not hold (A23 proposals)',
          security: [{ bearer: [] }],
          params: orgParams,
          response: { 200: discoveredDevicesResponseSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.nmapImport.discoveredDevices(org.id);
      },
    );

    app.post(
      '/api/v1/organizations/:org/discovered-devices/adopt',
      {
        schema: {
          tags: ['collectors'],
          summary:
            'Record a discovered host as IoT equipment, with the addresses, ports and banners the scan saw (A23)',
          security: [{ bearer: [] }],
          params: orgParams,
          body: adoptDiscoveredDeviceSchema,
          response: { 201: recordSchemaOf('iot-devices'), ...errors },
        },
      },
      async (request, reply) => {
        const org = await deps.organizations.get(request.params.org);
        return reply.status(201).send(await deps.nmapImport.adoptDiscovered(actorOf(request), org.id, request.body));
      },
    );

    app.post(
      '/api/v1/organizations/:org/discovered-devices/dismiss',
      {
        schema: {
          tags: ['collectors'],
          summary: 'Record that a discovered host is not IoT equipment, with the reason (network-exclusions, A23)',
          security: [{ bearer: [] }],
          params: orgParams,
          body: dismissDiscoveredDeviceSchema,
          response: { 201: recordSchemaOf('network-exclusions'), ...errors },
        },
      },
      async (request, reply) => {
        const org = await deps.organizations.get(request.params.org);
        return reply.status(201).send(await deps.nmapImport.dismissDiscovered(actorOf(request), org.id, request.body));
      },
    );
  };
}
