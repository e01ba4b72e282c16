import {
  assessmentSchema,
  auditEntrySchema,
  auditVerificationSchema,
  catalogListResponseSchema,
  collectorStatusResponseSchema,
  dutiesResponseSchema,
  evaluationRunSchema,
  evidenceListResponseSchema,
  findingEventSchema,
  findingSchema,
  findingSummarySchema,
  monitoringReportSchema,
  nodeHistoryResponseSchema,
  ruleResultSchema,
} from '@ntg/contracts';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { z } from 'zod';
import { api, isApiError, type QueryValue } from './client.ts';

/** Read queries of one organization, keyed by it, parsed with the contract schemas the server answers with. */

const orgPath = (org: string) => `/api/v1/organizations/${encodeURIComponent(org)}`;

export function useAssessment(org: string) {
  return useQuery({
    queryKey: ['assessment', org],
    queryFn: () => api('/api/v1/assessment', { query: { org }, schema: assessmentSchema }),
  });
}

export function useEvaluationRuns(org: string) {
  return useQuery({
    queryKey: ['evaluations', org],
    queryFn: () =>
      api(`${orgPath(org)}/evaluations`, {
        query: { limit: 90 },
        schema: z.object({ runs: z.array(evaluationRunSchema) }),
      }),
    select: (d) => d.runs,
  });
}

/** Record-level results of one node and the nodes under it (at most `limit`): an opened catalog article's records. */
export function useResults(org: string, under: string, limit = 200) {
  return useQuery({
    queryKey: ['results', org, under, limit],
    queryFn: () =>
      api(`${orgPath(org)}/results`, {
        query: { under, limit },
        schema: z.object({ results: z.array(ruleResultSchema) }),
      }),
    select: (d) => d.results,
  });
}

export function useDuties(org: string) {
  return useQuery({
    queryKey: ['duties', org],
    queryFn: () => api(`${orgPath(org)}/duties`, { query: { limit: 20 }, schema: dutiesResponseSchema }),
  });
}

export function useCollectorStatus(org: string) {
  return useQuery({
    queryKey: ['collectors', org],
    queryFn: () => api(`${orgPath(org)}/collectors/status`, { schema: collectorStatusResponseSchema }),
  });
}

/**
 * The directions in the reader's language when the catalog holds that translation, else in the language the
 * catalog has (the response says which).
 */
export function useCatalog(language = 'en') {
  return useQuery({
    queryKey: ['catalog', language],
    queryFn: async () => {
      try {
        return await api('/api/v1/catalog', { query: { language }, schema: catalogListResponseSchema });
      } catch (error) {
        if (language !== 'en' && isApiError(error) && error.status === 404) {
          return api('/api/v1/catalog', { schema: catalogListResponseSchema });
        }
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export const findingsPageSchema = z.object({ findings: z.array(findingSchema), total: z.number().int() });

export function useFindings(org: string, query: Record<string, QueryValue>) {
  return useQuery({
    queryKey: ['findings', org, query],
    queryFn: () => api(`${orgPath(org)}/findings`, { query, schema: findingsPageSchema }),
    placeholderData: keepPreviousData,
  });
}

export function useFinding(org: string, id: string | undefined) {
  return useQuery({
    queryKey: ['finding', org, id],
    enabled: id !== undefined,
    queryFn: () =>
      api(`${orgPath(org)}/findings/${encodeURIComponent(id ?? '')}`, {
        schema: z.object({ finding: findingSchema, events: z.array(findingEventSchema) }),
      }),
  });
}

export function useAuditEntries(org: string, query: Record<string, QueryValue>) {
  return useQuery({
    queryKey: ['audit', org, query],
    queryFn: () => api(`${orgPath(org)}/audit`, { query, schema: z.object({ entries: z.array(auditEntrySchema) }) }),
    placeholderData: keepPreviousData,
  });
}

export function useAuditVerification(org: string) {
  return useQuery({
    queryKey: ['audit-verify', org],
    queryFn: () => api(`${orgPath(org)}/audit/verify`, { schema: auditVerificationSchema }),
  });
}

export { orgPath };

/** A requirement's status in each of the latest runs (the catalog's history of a node). */
export function useNodeHistory(org: string, nodeId: string) {
  return useQuery({
    queryKey: ['node-history', org, nodeId],
    queryFn: () =>
      api(`${orgPath(org)}/nodes/${encodeURIComponent(nodeId)}/history`, {
        query: { limit: 10 },
        schema: nodeHistoryResponseSchema,
      }),
    select: (d) => d.history,
  });
}

/** Evidence linked to one target, e.g. `node:A12.1`. */
export function useLinkedEvidence(org: string, target: string) {
  return useQuery({
    queryKey: ['evidence', org, 'target', target],
    queryFn: () => api(`${orgPath(org)}/evidence`, { query: { target }, schema: evidenceListResponseSchema }),
    select: (d) => d.evidence,
  });
}

/**
 * The newest daily failed-login report (A37.7) for yesterday in Asia/Taipei, or null when the gateway has not
 * reported that day (the server answers 404).
 */
export function useDailyMonitoring(org: string) {
  return useQuery({
    queryKey: ['monitoring-daily', org],
    queryFn: async () => {
      try {
        return await api(`${orgPath(org)}/monitoring/daily`, { schema: monitoringReportSchema });
      } catch (error) {
        if (isApiError(error) && error.status === 404) return null;
        throw error;
      }
    },
  });
}

/** Counts of open and accepted findings by severity and owner, over all of them (the dashboard's charts). */
export function useFindingSummary(org: string) {
  return useQuery({
    queryKey: ['findings-summary', org],
    queryFn: () => api(`${orgPath(org)}/findings/summary`, { schema: findingSummarySchema }),
  });
}
