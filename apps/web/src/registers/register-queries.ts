import { csvImportResultSchema, type RegisterType, recordSchemaOf, registerTypeSchema } from '@ntg/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../api/client.ts';
import { orgPath } from '../api/organization-queries.ts';

export const registerPath = (org: string, register: RegisterType) => `${orgPath(org)}/registers/${register}`;

export interface RegisterPageQuery {
  sort: string;
  order: 'asc' | 'desc';
  q: string;
  owner: string;
  /** field:value pairs separated by commas, e.g. ownership:byod,jailbrokenOrRooted:true */
  filter: string;
  offset: number;
  limit: number;
}

export function useRegisterCounts(org: string) {
  return useQuery({
    queryKey: ['register-counts', org],
    queryFn: () =>
      api(`${orgPath(org)}/registers`, {
        schema: z.object({
          registers: z.array(
            z.object({ register: registerTypeSchema, label: z.string(), articles: z.string(), count: z.number() }),
          ),
        }),
      }),
    select: (d) => new Map(d.registers.map((r) => [r.register, r.count])),
  });
}

export function useRegisterPage(org: string, register: RegisterType, query: RegisterPageQuery) {
  return useQuery({
    queryKey: ['register', org, register, query],
    queryFn: () =>
      api(registerPath(org, register), {
        query: { ...query },
        schema: z.object({
          records: z.array(recordSchemaOf(register)),
          total: z.number().int(),
          offset: z.number().int(),
          limit: z.number().int(),
        }),
      }),
    placeholderData: keepPreviousData,
  });
}

function useInvalidateRegister(org: string, register: RegisterType) {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ['register', org, register] });
    void client.invalidateQueries({ queryKey: ['register-counts', org] });
  };
}

export function useSaveRecord(org: string, register: RegisterType) {
  const invalidate = useInvalidateRegister(org, register);
  return useMutation({
    mutationFn: (v: { id: string | null; revision: number | null; input: Record<string, unknown> }) =>
      v.id === null
        ? api(registerPath(org, register), { method: 'POST', json: v.input })
        : api(`${registerPath(org, register)}/${encodeURIComponent(v.id)}`, {
            method: 'PUT',
            query: { revision: v.revision ?? undefined },
            json: v.input,
          }),
    onSuccess: invalidate,
  });
}

export function useDeleteRecord(org: string, register: RegisterType) {
  const invalidate = useInvalidateRegister(org, register);
  return useMutation({
    mutationFn: (v: { id: string; revision: number }) =>
      api(`${registerPath(org, register)}/${encodeURIComponent(v.id)}`, {
        method: 'DELETE',
        query: { revision: v.revision },
      }),
    onSuccess: invalidate,
  });
}

export function useImportCsv(org: string, register: RegisterType) {
  const invalidate = useInvalidateRegister(org, register);
  return useMutation({
    mutationFn: (v: { file: File; mode: 'merge' | 'replace' }) =>
      api(`${registerPath(org, register)}/import.csv`, {
        method: 'POST',
        query: { mode: v.mode },
        raw: { body: v.file, contentType: 'text/csv' },
        schema: csvImportResultSchema,
      }),
    onSuccess: invalidate,
  });
}
