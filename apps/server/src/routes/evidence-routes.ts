import {
  errorResponseSchema,
  evidenceContentTypes,
  evidenceIdSchema,
  evidenceLinkTargetSchema,
  evidenceListQuerySchema,
  evidenceListResponseSchema,
  evidenceSchema,
  evidenceUploadQuerySchema,
} from '@ntg/contracts';
import type { EvidenceService, OrganizationService } from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';

const orgParams = z.object({ org: z.string().min(1).max(80).describe('organization id (org_…) or slug') });
const evidenceParams = orgParams.extend({ id: evidenceIdSchema });
const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
};

/** Text is served with its charset: uploads were checked to be UTF-8, and browsers must not guess another. */
function contentTypeHeader(type: string): string {
  return type.startsWith('text/') || type === 'application/json' || type.endsWith('/xml')
    ? `${type}; charset=utf-8`
    : type;
}

/**
 * `attachment` with an ASCII fallback and the exact name in RFC 5987 form (`filename*=UTF-8''…`), so Chinese names
 * survive and no name can break out of the header.
 */
function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export function evidenceRoutes(deps: {
  organizations: OrganizationService;
  evidence: EvidenceService;
}): FastifyPluginAsyncZod {
  const maxBytes = deps.evidence.maxBytes;

  return async (app) => {
    // The upload takes the raw file as its body. Its parsers live in their own encapsulated scope, so JSON bodies
    // of the other routes (links) are still parsed as JSON, and any type not on the allowlist is a 415.
    const uploadRoute: FastifyPluginAsyncZod = async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        [...evidenceContentTypes],
        { parseAs: 'buffer', bodyLimit: maxBytes },
        (_r, body, done) => done(null, body),
      );
      scope.post(
        '/api/v1/organizations/:org/evidence',
        {
          // Over the limit is a 413 from the body reader, before any byte is kept in memory past it.
          bodyLimit: maxBytes,
          schema: {
            tags: ['evidence'],
            summary: 'Upload a file as evidence: the body is the file, its Content-Type the file type',
            description:
              `Accepted types: ${evidenceContentTypes.join(', ')}. The bytes must match the declared type. ` +
              `At most ${maxBytes} bytes. Metadata travels in the query string; link may be repeated.`,
            security: [{ bearer: [] }],
            params: orgParams,
            querystring: evidenceUploadQuerySchema,
            response: { 201: evidenceSchema, ...errors, 413: errorResponseSchema, 415: errorResponseSchema },
          },
        },
        async (request, reply) => {
          const org = await deps.organizations.get(request.params.org);
          const { link, ...metadata } = request.query;
          const evidence = await deps.evidence.upload(actorOf(request), org.id, {
            ...metadata,
            links: link ?? [],
            contentType: request.headers['content-type'] ?? '',
            bytes: Buffer.isBuffer(request.body) ? request.body : new Uint8Array(0),
          });
          return reply.status(201).send(evidence);
        },
      );
    };
    await app.register(uploadRoute);

    app.get(
      '/api/v1/organizations/:org/evidence',
      {
        schema: {
          tags: ['evidence'],
          summary: 'Evidence of the organization, newest first, optionally only that linked to one target',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: evidenceListQuerySchema,
          response: { 200: evidenceListResponseSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const target = request.query.target;
        return { evidence: await deps.evidence.list(org.id, target === undefined ? {} : { target }) };
      },
    );

    app.get(
      '/api/v1/organizations/:org/evidence/:id',
      {
        schema: {
          tags: ['evidence'],
          summary: 'One piece of evidence: its metadata, SHA-256 and links',
          security: [{ bearer: [] }],
          params: evidenceParams,
          response: { 200: evidenceSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.evidence.get(org.id, request.params.id);
      },
    );

    app.get(
      '/api/v1/organizations/:org/evidence/:id/content',
      {
        schema: {
          tags: ['evidence'],
          summary: 'The file itself, checked against its SHA-256 before it is sent (ETag: the SHA-256)',
          security: [{ bearer: [] }],
          params: evidenceParams,
          response: {
            200: z.instanceof(Buffer).describe('the file bytes, in the evidence content type'),
            ...errors,
            500: errorResponseSchema.describe('the stored bytes no longer match their SHA-256, or are missing'),
          },
        },
      },
      async (request, reply) => {
        const org = await deps.organizations.get(request.params.org);
        const { evidence, bytes } = await deps.evidence.content(org.id, request.params.id);
        return (
          reply
            .header('content-type', contentTypeHeader(evidence.contentType))
            .header('content-disposition', attachmentDisposition(evidence.filename))
            // Served as a download, never rendered or sniffed: an uploaded file cannot run script in the console.
            .header('x-content-type-options', 'nosniff')
            .header('content-security-policy', "default-src 'none'; sandbox")
            .header('etag', `"${evidence.sha256}"`)
            .header('cache-control', 'private, no-cache')
            .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        );
      },
    );

    app.post(
      '/api/v1/organizations/:org/evidence/:id/links',
      {
        schema: {
          tags: ['evidence'],
          summary: 'Link evidence to a catalog node (node, A12.1) or a register record (mobile-devices, dev_…)',
          security: [{ bearer: [] }],
          params: evidenceParams,
          body: evidenceLinkTargetSchema,
          response: { 200: evidenceSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.evidence.link(actorOf(request), org.id, request.params.id, request.body);
      },
    );

    app.delete(
      '/api/v1/organizations/:org/evidence/:id/links',
      {
        schema: {
          tags: ['evidence'],
          summary: 'Remove a link of the evidence',
          security: [{ bearer: [] }],
          params: evidenceParams,
          body: evidenceLinkTargetSchema,
          response: { 200: evidenceSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.evidence.unlink(actorOf(request), org.id, request.params.id, request.body);
      },
    );
  };
}
