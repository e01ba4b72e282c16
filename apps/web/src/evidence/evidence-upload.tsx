import { Alert, Code, Group, Stack, Text, TextInput } from '@mantine/core';
import { Dropzone } from '@mantine/dropzone';
import {
  contentTypeOfFilename,
  type Evidence,
  type EvidenceLinkTarget,
  evidenceContentTypes,
  evidenceSchema,
  formatEvidenceLinkRef,
} from '@ntg/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { orgPath } from '../api/organization-queries.ts';
import { ErrorAlert } from '../shell/error-alert.tsx';

/**
 * Drop a file to store it as evidence. The body is the file itself and its type is the evidence type; the server
 * checks the bytes against that type and answers the SHA-256 it stored the file under, shown so the uploader can
 * compare it with their own copy.
 */
export function EvidenceUpload({ org, links }: { org: string; links: EvidenceLinkTarget[] }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [description, setDescription] = useState('');
  const [effectiveDate, setEffectiveDate] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [uploaded, setUploaded] = useState<Evidence[]>([]);
  const upload = useMutation({
    mutationFn: (file: File) => {
      const contentType = contentTypeOfFilename(file.name) ?? file.type;
      return api(`${orgPath(org)}/evidence`, {
        method: 'POST',
        query: {
          filename: file.name,
          description: description.trim(),
          effectiveDate,
          expiresOn,
          link: links.map(formatEvidenceLinkRef),
        },
        raw: { body: file, contentType },
        schema: evidenceSchema,
      });
    },
    onSuccess: (evidence) => {
      setUploaded((list) => [evidence, ...list]);
      void client.invalidateQueries({ queryKey: ['evidence', org] });
    },
  });

  return (
    <Stack gap="sm">
      <TextInput
        label={t('evidence.description')}
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
      />
      <Group grow>
        <TextInput
          label={t('evidence.effectiveDate')}
          type="date"
          value={effectiveDate}
          onChange={(e) => setEffectiveDate(e.currentTarget.value)}
        />
        <TextInput
          label={t('evidence.expiresOn')}
          type="date"
          value={expiresOn}
          onChange={(e) => setExpiresOn(e.currentTarget.value)}
        />
      </Group>
      <Dropzone
        onDrop={(files) => {
          for (const f of files) upload.mutate(f);
        }}
        accept={[...evidenceContentTypes]}
        loading={upload.isPending}
        aria-label={t('evidence.dropzone')}
        inputProps={{ 'aria-label': t('evidence.dropzone') }}
      >
        <Group justify="center" mih={100}>
          <Stack gap={4} align="center">
            <Text fw={500}>{t('evidence.dropzone')}</Text>
            <Text size="xs" c="dimmed">
              {t('evidence.accepted')}
            </Text>
          </Stack>
        </Group>
      </Dropzone>
      <ErrorAlert error={upload.error} title={t('evidence.uploadFailed')} />
      {uploaded.map((e) => (
        <Alert key={e.id} color="teal" title={t('evidence.uploaded', { name: e.filename })} role="status">
          <Text size="sm">{t('evidence.sha256')}</Text>
          <Code block style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
            {e.sha256}
          </Code>
        </Alert>
      ))}
    </Stack>
  );
}
