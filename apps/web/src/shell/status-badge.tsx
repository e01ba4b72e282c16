import { Badge } from '@mantine/core';
import type { ResultStatus } from '@ntg/contracts';
import { useTranslation } from 'react-i18next';

export const statusColors: Record<ResultStatus, string> = {
  pass: 'teal',
  fail: 'red',
  'needs-evidence': 'yellow',
  'not-applicable': 'gray',
  error: 'grape',
};

export function StatusBadge({ status }: { status: ResultStatus }) {
  const { t } = useTranslation();
  return (
    <Badge color={statusColors[status]} variant="light">
      {t(`status.${status}`)}
    </Badge>
  );
}

export const severityColors = { high: 'red', medium: 'orange', low: 'blue' } as const;

export function SeverityBadge({ severity }: { severity: keyof typeof severityColors }) {
  const { t } = useTranslation();
  return (
    <Badge color={severityColors[severity]} variant="filled">
      {t(`severity.${severity}`)}
    </Badge>
  );
}
