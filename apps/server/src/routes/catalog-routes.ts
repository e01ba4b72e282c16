import {
  catalogDiffSchema,
  catalogListResponseSchema,
  catalogNodeIdSchema,
  catalogNodeSchema,
  errorResponseSchema,
} from '@ntg/contracts';
import type { CatalogService } from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const versionQuery = z.object({
  version: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a version is a date, e.g. 2022-05-11')
    .optional(),
  language: z.enum(['en', 'zh-TW']).optional(),
});

/** The directions as data. Public regulatory text: readable without a token. */
export function catalogRoutes(deps: { catalog: CatalogService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/catalog',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Every node of one version of the directions, optionally one chapter or article',
          querystring: versionQuery.extend({
            chapter: z.coerce.number().int().min(1).max(7).optional(),
            article: z.coerce.number().int().min(1).max(99).optional(),
          }),
          response: { 200: catalogListResponseSchema, 404: errorResponseSchema },
        },
      },
      async (request) => {
        const { catalog, nodes } = deps.catalog.list(request.query);
        return {
          version: catalog.version,
          title: catalog.title,
          language: catalog.language,
          nodeCount: nodes.length,
          nodes,
        };
      },
    );

    app.get(
      '/api/v1/catalog/versions',
      {
        schema: {
          tags: ['catalog'],
          summary: 'The catalog versions and languages this installation holds',
          response: { 200: z.object({ versions: z.array(z.object({ version: z.string(), language: z.string() })) }) },
        },
      },
      async () => ({ versions: deps.catalog.versions() }),
    );

    app.get(
      '/api/v1/catalog/diff',
      {
        schema: {
          tags: ['catalog'],
          summary: 'Nodes added, removed and changed between two versions',
          querystring: z.object({ from: z.string(), to: z.string() }),
          response: { 200: catalogDiffSchema, 404: errorResponseSchema },
        },
      },
      async (request) => deps.catalog.diff(request.query.from, request.query.to),
    );

    app.get(
      '/api/v1/catalog/:id',
      {
        schema: {
          tags: ['catalog'],
          summary: 'One article, paragraph or item, e.g. A37.5',
          params: z.object({ id: catalogNodeIdSchema }),
          querystring: versionQuery,
          response: { 200: catalogNodeSchema, 404: errorResponseSchema },
        },
      },
      async (request) => deps.catalog.node(request.params.id, request.query.version, request.query.language),
    );
  };
}
