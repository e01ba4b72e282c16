import { Button, Stack, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { type FindingView, findingSchema, isoDate } from '@ntg/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api, isApiError } from '../api/client.ts';
import { orgPath } from '../api/organization-queries.ts';
import { serverFieldErrors, zodValidate } from '../forms/zod-form.ts';
import { ErrorAlert } from '../shell/error-alert.tsx';

// The bodies the finding routes accept (apps/server evaluation-routes), checked here before sending.
const assignSchema = z.object({ assignee: z.string().trim().min(1).max(200) });
const acceptRiskSchema = z.object({
  approver: z.string().trim().min(1).max(200),
  reason: z.string().trim().min(10).max(4000),
  until: isoDate,
});
const resolveSchema = z.object({ note: z.string().trim().max(4000) });

type Action = 'assign' | 'accept-risk' | 'resolve';

function useFindingAction(org: string, finding: FindingView, action: Action) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) =>
      api(`${orgPath(org)}/findings/${encodeURIComponent(finding.id)}/${action}`, {
        method: 'POST',
        query: { revision: finding.revision },
        json: body,
        schema: findingSchema,
      }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['findings', org] });
      void client.invalidateQueries({ queryKey: ['finding', org, finding.id] });
    },
  });
}

export function AssignForm({ org, finding }: { org: string; finding: FindingView }) {
  const { t, i18n } = useTranslation();
  const mutation = useFindingAction(org, finding, 'assign');
  const form = useForm({
    initialValues: { assignee: finding.assignee ?? '' },
    validate: zodValidate(assignSchema, t, i18n.language),
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        mutation.mutate(assignSchema.parse(v), {
          onError: (e) => isApiError(e, 'VALIDATION_FAILED') && form.setErrors(serverFieldErrors(e)),
        }),
      )}
    >
      <Stack gap="xs">
        <ErrorAlert error={mutation.error} />
        <TextInput label={t('findings.assignee')} required {...form.getInputProps('assignee')} />
        <Button type="submit" loading={mutation.isPending}>
          {t('findings.assign')}
        </Button>
      </Stack>
    </form>
  );
}

export function AcceptRiskForm({ org, finding }: { org: string; finding: FindingView }) {
  const { t, i18n } = useTranslation();
  const mutation = useFindingAction(org, finding, 'accept-risk');
  const form = useForm({
    initialValues: { approver: '', reason: '', until: '' },
    validate: zodValidate(acceptRiskSchema, t, i18n.language),
  });
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((v) =>
        mutation.mutate(acceptRiskSchema.parse(v), {
          onError: (e) => isApiError(e, 'VALIDATION_FAILED') && form.setErrors(serverFieldErrors(e)),
        }),
      )}
    >
      <Stack gap="xs">
        <ErrorAlert error={mutation.error} />
        <TextInput label={t('findings.approver')} required {...form.getInputProps('approver')} />
        <Textarea label={t('findings.reason')} required autosize minRows={2} {...form.getInputProps('reason')} />
        <TextInput label={t('findings.until')} type="date" required {...form.getInputProps('until')} />
        <Button type="submit" color="orange" loading={mutation.isPending}>
          {t('findings.acceptRisk')}
        </Button>
      </Stack>
    </form>
  );
}

export function ResolveForm({ org, finding }: { org: string; finding: FindingView }) {
  const { t, i18n } = useTranslation();
  const mutation = useFindingAction(org, finding, 'resolve');
  const form = useForm({ initialValues: { note: '' }, validate: zodValidate(resolveSchema, t, i18n.language) });
  return (
    <form noValidate onSubmit={form.onSubmit((v) => mutation.mutate(resolveSchema.parse(v)))}>
      <Stack gap="xs">
        <ErrorAlert error={mutation.error} />
        <Textarea label={t('findings.note')} autosize minRows={2} {...form.getInputProps('note')} />
        <Button type="submit" color="teal" loading={mutation.isPending}>
          {t('findings.resolve')}
        </Button>
      </Stack>
    </form>
  );
}
