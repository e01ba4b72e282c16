import {
  bundleImportResultSchema,
  bundleSchema,
  csvImportResultSchema,
  errorResponseSchema,
  importModeSchema,
  type RegisterType,
  registerDefinitions,
  registerTypes,
} from '@ntg/contracts';
import { AppError, type BundleService, type OrganizationService, type RegisterCsvService } from '@ntg/core';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';
import { formatBundleText, parseBundleText, yamlContentType } from '../import-export/bundle-text.ts';

const orgParams = z.object({ org: z.string().min(1).max(80).describe('organization id (org_…) or slug') });
const modeQuery = z.object({ mode: importModeSchema.default('merge') });
const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  413: errorResponseSchema,
  415: errorResponseSchema,
};

/** Bundles and CSV files hold whole registers: far above the 1 MiB default (a 100,000-device CSV is about 18 MiB). */
export const importBodyLimit = 64 * 1024 * 1024;

const yamlTypes = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/**
 * Import and export: a bundle (the organization's profile, every register and its attestations) as JSON or YAML,
 * and one register as CSV. Routes stay thin: the services validate everything, write in one unit of work and
 * record one audit entry per import.
 */
export function importExportRoutes(deps: {
  organizations: OrganizationService;
  bundles: BundleService;
  registerCsv: RegisterCsvService;
}): FastifyPluginAsyncZod {
  return async (app) => {
    // The bundle import reads JSON or YAML. The YAML parser lives in this encapsulated scope only.
    const bundleImport: FastifyPluginAsyncZod = async (scope) => {
      scope.addContentTypeParser(
        yamlTypes,
        { parseAs: 'string', bodyLimit: importBodyLimit },
        async (_request: FastifyRequest, body: string | Buffer) => parseBundleText(String(body), 'yaml'),
      );
      scope.post(
        '/api/v1/import',
        {
          bodyLimit: importBodyLimit,
          schema: {
            tags: ['import-export'],
            summary: 'Import a bundle (JSON, or YAML with Content-Type application/yaml): all or nothing',
            description:
              'The body is a bundle as described in docs/bundle-format.md (JSON Schema: docs/bundle.schema.json). ' +
              'Every problem is reported at once with its path (e.g. registers.mobile-devices[41].ownership) and ' +
              'nothing is written unless the whole bundle is valid. mode=replace makes each register exactly what ' +
              'the bundle holds; mode=merge (default) adds and updates records by id and removes none.',
            security: [{ bearer: [] }],
            querystring: modeQuery,
            // Checked by the bundle service, which reports record problems with bundle paths and checks ids and
            // references too; a route-level schema would answer with a second, different error format.
            body: z.unknown(),
            response: { 200: bundleImportResultSchema, ...errors },
          },
        },
        async (request) => deps.bundles.importBundle(actorOf(request), request.body, { mode: request.query.mode }),
      );
    };
    await app.register(bundleImport);

    app.get(
      '/api/v1/organizations/:org/export',
      {
        schema: {
          tags: ['import-export'],
          summary: 'Export the organization as a bundle (JSON, or YAML with format=yaml)',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({ format: z.enum(['json', 'yaml']).default('json') }),
          response: {
            200: z.union([bundleSchema, z.string().describe('the bundle as YAML (format=yaml)')]),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const bundle = await deps.bundles.exportBundle(request.params.org);
        if (request.query.format === 'json') return bundle;
        // A string body is sent as it is: the JSON response schema does not apply to it.
        return reply.type(yamlContentType).send(formatBundleText(bundle, 'yaml'));
      },
    );

    // Per register, as the register routes are: `…/registers/mobile-devices/export.csv` must be a static path, or
    // the register routes' `…/registers/mobile-devices/:id` would take it as a record id.
    const csvRoutes: FastifyPluginAsyncZod = async (scope) => {
      scope.addContentTypeParser(
        ['text/csv', 'application/csv'],
        { parseAs: 'buffer', bodyLimit: importBodyLimit },
        (_r, body, done) => done(null, body),
      );
      for (const register of registerTypes) addCsvRoutes(register);

      function addCsvRoutes(register: RegisterType) {
        const base = `/api/v1/organizations/:org/registers/${register}`;
        const label = registerDefinitions[register].label.toLowerCase();

        scope.get(
          `${base}/export.csv`,
          {
            schema: {
              tags: ['import-export'],
              summary: `Export ${label} as CSV (UTF-8 with a BOM, for Excel)`,
              security: [{ bearer: [] }],
              params: orgParams,
              produces: ['text/csv'],
              response: { 200: z.string().describe('CSV: the columns of docs/csv-format.md'), ...errors },
            },
          },
          async (request, reply) => {
            const org = await deps.organizations.get(request.params.org);
            const csv = await deps.registerCsv.exportCsv(org.id, register);
            return reply
              .type('text/csv; charset=utf-8')
              .header('content-disposition', `attachment; filename="${org.slug}-${register}.csv"`)
              .send(csv);
          },
        );

        scope.post(
          `${base}/import.csv`,
          {
            bodyLimit: importBodyLimit,
            schema: {
              tags: ['import-export'],
              summary: `Import ${label} from CSV (Content-Type text/csv): every bad row is reported, all or nothing`,
              description:
                'The body is the CSV file (UTF-8, with or without a BOM). mode=replace makes the register exactly ' +
                'the file; mode=merge (default) adds and updates by id. A 400 lists every bad row in `issues` ' +
                '(row numbers as a spreadsheet shows them: the header is row 1).',
              security: [{ bearer: [] }],
              params: orgParams,
              querystring: modeQuery,
              consumes: ['text/csv'],
              response: { 200: csvImportResultSchema, ...errors },
            },
          },
          async (request) => {
            const body: unknown = request.body;
            if (!Buffer.isBuffer(body)) {
              throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the CSV file as the body with Content-Type text/csv.');
            }
            return deps.registerCsv.importCsv(actorOf(request), request.params.org, register, body, {
              mode: request.query.mode,
            });
          },
        );
      }
    };
    await app.register(csvRoutes);
  };
}
