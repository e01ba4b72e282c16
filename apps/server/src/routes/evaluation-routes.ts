import {
  assessmentSchema,
  attestationSchema,
  createAttestationSchema,
  dutiesResponseSchema,
  errorResponseSchema,
  evaluationRunSchema,
  findingEventSchema,
  findingQuerySchema,
  findingSchema,
  findingSummarySchema,
  isoDate,
  nodeAssessmentSchema,
  nodeHistoryResponseSchema,
  ruleResultSchema,
} from '@ntg/contracts';
import {
  AppError,
  type AttestationService,
  addDays,
  dueSoonDays,
  type EvaluationService,
  type EvaluationStore,
  type FindingService,
  type FindingStatus,
  type OrganizationService,
  taipeiDate,
} from '@ntg/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../http/actor-context.ts';

const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
};
const orgParams = z.object({ org: z.string() });
const findingParams = z.object({ org: z.string(), id: z.string().max(60) });
const revision = z.object({ revision: z.coerce.number().int().min(1) });

export interface EvaluationRouteDeps {
  organizations: OrganizationService;
  evaluation: EvaluationService;
  evaluations: Pick<EvaluationStore, 'runs' | 'results' | 'recentRuns' | 'duties'>;
  findings: FindingService;
  attestations: AttestationService;
  clock: { now(): Date };
}

/** Assessment, evaluation runs, findings and attestations: the compliance engine over HTTP. */
export function evaluationRoutes(deps: EvaluationRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    async function assessmentOf(orgRef: string) {
      const org = await deps.organizations.get(orgRef);
      const run =
        (await deps.evaluation.latest(org.id)) ??
        (await deps.evaluation.run({ actor: { type: 'system', id: 'assessment' }, source: null }, org.id, 'manual'));
      const open = await deps.findings.page(org.id, { status: ['open', 'accepted', 'fixed'], offset: 0, limit: 500 });
      return {
        organization: { id: org.id, slug: org.slug, name: org.name, demo: org.demo },
        run: {
          id: run.id,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          trigger: run.trigger,
          catalogVersion: run.catalogVersion,
          score: run.score,
          scores: run.summary.scores,
          chapters: run.summary.chapters,
          recordsEvaluated: run.summary.recordsEvaluated,
        },
        nodes: run.summary.nodes,
        findings: open.findings,
      };
    }

    app.get(
      '/api/v1/assessment',
      {
        schema: {
          tags: ['assessment'],
          summary:
            'Per-node status with reasons and the findings list (the latest evaluation; one is run if none exists)',
          security: [{ bearer: [] }],
          querystring: z.object({
            org: z.string().optional().describe('organization id or slug; optional when there is only one'),
          }),
          response: { 200: assessmentSchema, ...errors },
        },
      },
      async (request) => {
        let ref = request.query.org;
        if (ref === undefined) {
          const orgs = await deps.organizations.list();
          const only = orgs.length === 1 ? orgs[0] : undefined;
          if (only === undefined) {
            throw new AppError('VALIDATION_FAILED', `There are ${orgs.length} organizations: name one with ?org=.`, {
              issues: [{ path: 'querystring.org', message: 'required when there are several organizations' }],
            });
          }
          ref = only.id;
        }
        return assessmentOf(ref);
      },
    );

    app.post(
      '/api/v1/organizations/:org/evaluations',
      {
        schema: {
          tags: ['assessment'],
          summary: 'Evaluate every applicable requirement now',
          security: [{ bearer: [] }],
          params: orgParams,
          response: { 201: evaluationRunSchema.extend({ nodes: z.array(nodeAssessmentSchema) }), ...errors },
        },
      },
      async (request, reply) => {
        const org = await deps.organizations.get(request.params.org);
        const run = await deps.evaluation.run(actorOf(request), org.id, 'manual');
        const { summary, organizationId: _o, ...rest } = run;
        return reply.status(201).send({ ...rest, nodes: summary.nodes });
      },
    );

    app.get(
      '/api/v1/organizations/:org/evaluations',
      {
        schema: {
          tags: ['assessment'],
          summary: 'Evaluation runs, newest first: the trend of the score over time',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(90) }),
          response: { 200: z.object({ runs: z.array(evaluationRunSchema) }), ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return { runs: await deps.evaluations.runs(org.id, request.query.limit) };
      },
    );

    app.get(
      '/api/v1/organizations/:org/nodes/:nodeId/history',
      {
        schema: {
          tags: ['assessment'],
          summary: "One requirement's status and reason in each of the latest runs, newest first",
          security: [{ bearer: [] }],
          params: z.object({ org: z.string(), nodeId: z.string().max(40) }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(30) }),
          response: { 200: nodeHistoryResponseSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const { nodeId } = request.params;
        const runs = await deps.evaluations.recentRuns(org.id, request.query.limit);
        const history = runs.flatMap((run) => {
          const node = run.summary.nodes.find((n) => n.nodeId === nodeId);
          return node === undefined
            ? []
            : [{ runId: run.id, evaluatedAt: run.startedAt, status: node.status, reason: node.reason }];
        });
        if (history.length === 0 && runs.length > 0) {
          throw new AppError('CATALOG_NODE_NOT_FOUND', `No evaluated requirement "${nodeId}".`);
        }
        return { nodeId, history };
      },
    );

    app.get(
      '/api/v1/organizations/:org/results',
      {
        schema: {
          tags: ['assessment'],
          summary: 'Record-level results of the latest run that need attention (non-pass, or due within 30 days)',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({
            requirementId: z.string().max(40).optional(),
            under: z
              .string()
              .regex(/^A\d+(\.\d+)*$/, 'a node id such as A17 or A17.4')
              .optional()
              .describe('a node and every node under it'),
            recordType: z.string().optional(),
            recordId: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(100_000).optional(),
          }),
          response: { 200: z.object({ results: z.array(ruleResultSchema) }), ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return { results: await deps.evaluations.results(org.id, request.query) };
      },
    );

    app.get(
      '/api/v1/organizations/:org/duties',
      {
        schema: {
          tags: ['assessment'],
          summary:
            'Recurring duties due in the next 30 days, and overdue ones: the soonest first, with the counts of all',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
          response: { 200: dutiesResponseSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const today = taipeiDate(deps.clock.now());
        const horizon = addDays(today, dueSoonDays);
        const found = await deps.evaluations.duties(org.id, { today, horizon, limit: request.query.limit });
        const duties = found.duties.map((r) => ({
          requirementId: r.requirementId,
          recordType: r.recordType,
          recordId: r.recordId,
          recordName: r.recordName,
          dueDate: r.dueDate ?? today,
          state: r.status === 'fail' ? ('overdue' as const) : ('due-soon' as const),
          reason: r.reason,
        }));
        return { today, overdue: found.overdue, dueSoon: found.dueSoon, duties };
      },
    );

    app.get(
      '/api/v1/organizations/:org/findings',
      {
        schema: {
          tags: ['findings'],
          summary: 'Findings by status, severity, requirement, owner or record; most severe and soonest due first',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: findingQuerySchema,
          response: { 200: z.object({ findings: z.array(findingSchema), total: z.number().int() }), ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const q = request.query;
        return deps.findings.page(org.id, { ...q, status: q.status?.split(',') as FindingStatus[] | undefined });
      },
    );

    app.get(
      '/api/v1/organizations/:org/findings/summary',
      {
        schema: {
          tags: ['findings'],
          summary:
            'How many findings there are by severity and by owner, over all of them (default: open and accepted)',
          security: [{ bearer: [] }],
          params: orgParams,
          querystring: z.object({ status: findingQuerySchema.shape.status }),
          response: { 200: findingSummarySchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const statuses = (request.query.status?.split(',') ?? ['open', 'accepted']) as FindingStatus[];
        return deps.findings.summary(org.id, statuses);
      },
    );

    app.get(
      '/api/v1/organizations/:org/findings/:id',
      {
        schema: {
          tags: ['findings'],
          summary: 'One finding with its history',
          security: [{ bearer: [] }],
          params: findingParams,
          response: { 200: z.object({ finding: findingSchema, events: z.array(findingEventSchema) }), ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.findings.get(org.id, request.params.id);
      },
    );

    app.post(
      '/api/v1/organizations/:org/findings/:id/assign',
      {
        schema: {
          tags: ['findings'],
          summary: 'Assign a finding to a person (or null to unassign)',
          security: [{ bearer: [] }],
          params: findingParams,
          querystring: revision,
          body: z.object({ assignee: z.string().trim().min(1).max(200).nullable() }).strict(),
          response: { 200: findingSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.findings.assign(
          actorOf(request),
          org.id,
          request.params.id,
          request.body.assignee,
          request.query.revision,
        );
      },
    );

    app.post(
      '/api/v1/organizations/:org/findings/:id/accept-risk',
      {
        schema: {
          tags: ['findings'],
          summary: 'Accept the risk of an open finding until a date, with the approver and the reason',
          security: [{ bearer: [] }],
          params: findingParams,
          querystring: revision,
          body: z
            .object({
              approver: z.string().trim().min(1).max(200),
              reason: z.string().trim().min(10).max(4000),
              until: isoDate,
            })
            .strict(),
          response: { 200: findingSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.findings.acceptRisk(
          actorOf(request),
          org.id,
          request.params.id,
          request.body,
          request.query.revision,
        );
      },
    );

    app.post(
      '/api/v1/organizations/:org/findings/:id/resolve',
      {
        schema: {
          tags: ['findings'],
          summary: 'Resolve a finding whose rule passes again (status fixed)',
          security: [{ bearer: [] }],
          params: findingParams,
          querystring: revision,
          body: z.object({ note: z.string().trim().max(4000).default('') }).strict(),
          response: { 200: findingSchema, ...errors },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        return deps.findings.resolve(
          actorOf(request),
          org.id,
          request.params.id,
          request.body.note,
          request.query.revision,
        );
      },
    );

    app.get(
      '/api/v1/organizations/:org/attestations',
      {
        schema: {
          tags: ['attestations'],
          summary: 'Requirements answered by attestation, with the latest answer of each',
          security: [{ bearer: [] }],
          params: orgParams,
          response: {
            200: z.object({
              attestations: z.array(
                z.object({ nodeId: z.string(), question: z.string(), latest: attestationSchema.nullable() }),
              ),
            }),
            ...errors,
          },
        },
      },
      async (request) => {
        const org = await deps.organizations.get(request.params.org);
        const latest = await deps.attestations.latest(org.id);
        return {
          attestations: deps.attestations
            .specs()
            .map((s) => ({ nodeId: s.nodeId, question: s.question, latest: latest.get(s.nodeId) ?? null })),
        };
      },
    );

    app.post(
      '/api/v1/organizations/:org/attestations',
      {
        schema: {
          tags: ['attestations'],
          summary: "Answer an attestation requirement; the answer expires with the node's cadence",
          security: [{ bearer: [] }],
          params: orgParams,
          body: createAttestationSchema,
          response: { 201: attestationSchema, ...errors },
        },
      },
      async (request, reply) => {
        const org = await deps.organizations.get(request.params.org);
        const { nodeId, ...input } = request.body;
        return reply.status(201).send(await deps.attestations.attest(actorOf(request), org.id, nodeId, input));
      },
    );
  };
}
