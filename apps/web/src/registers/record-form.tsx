import {
  Button,
  Checkbox,
  Fieldset,
  Group,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  TagsInput,
  Textarea,
  TextInput,
} from '@mantine/core';
import { type UseFormReturnType, useForm } from '@mantine/form';
import { type RegisterType, recordInputSchemaOf } from '@ntg/contracts';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client.ts';
import { serverFieldErrors, zodFieldErrors } from '../forms/zod-form.ts';
import { ErrorAlert } from '../shell/error-alert.tsx';
import { type FieldSpec, type FormValues, fieldSpecsOf, toFormValues, toRecordInput } from './record-form-model.ts';

export function useFieldLabel() {
  const { t } = useTranslation();
  return (name: string) => t(`fields.${name}`, { defaultValue: name });
}

function Control({
  spec,
  form,
  readOnly,
}: {
  spec: FieldSpec;
  form: UseFormReturnType<FormValues>;
  readOnly: boolean;
}) {
  const { t } = useTranslation();
  const label = useFieldLabel();
  const c = spec.control;
  const common = { label: label(spec.name), withAsterisk: spec.required, disabled: readOnly };
  const option = (value: string) => ({ value, label: t(`options.${value}`, { defaultValue: value }) });
  switch (c.kind) {
    case 'text':
      return c.multiline ? (
        <Textarea {...common} autosize minRows={2} {...form.getInputProps(spec.path)} />
      ) : (
        <TextInput {...common} {...form.getInputProps(spec.path)} />
      );
    case 'date':
      return <TextInput {...common} type="date" {...form.getInputProps(spec.path)} />;
    case 'number':
      return <NumberInput {...common} min={0} {...form.getInputProps(spec.path)} />;
    case 'boolean':
      return <Checkbox {...common} {...form.getInputProps(spec.path, { type: 'checkbox' })} />;
    case 'fact':
      return (
        <Select
          {...common}
          data={[
            { value: '', label: t('form.notRecorded') },
            { value: 'true', label: t('form.yes') },
            { value: 'false', label: t('form.no') },
          ]}
          allowDeselect={false}
          {...form.getInputProps(spec.path)}
        />
      );
    case 'enum':
      return (
        <Select {...common} data={c.options.map(option)} clearable={spec.nullable} {...form.getInputProps(spec.path)} />
      );
    case 'enum-list':
      return <MultiSelect {...common} data={c.options.map(option)} {...form.getInputProps(spec.path)} />;
    case 'text-list':
      return <TagsInput {...common} description={t('form.listHelp')} {...form.getInputProps(spec.path)} />;
    case 'json':
      return (
        <Textarea
          {...common}
          description={t('form.jsonHelp')}
          autosize
          minRows={3}
          styles={{ input: { fontFamily: 'monospace' } }}
          {...form.getInputProps(spec.path)}
        />
      );
    case 'group':
      return (
        <Fieldset legend={label(spec.name)} disabled={readOnly}>
          <Stack gap="xs">
            {c.fields.map((f) => (
              <Control key={f.path} spec={f} form={form} readOnly={readOnly} />
            ))}
          </Stack>
        </Fieldset>
      );
  }
}

/**
 * Create or edit one record. Errors come from the contract schema before sending, and from the server's 400
 * (`issues`) after: both land on the field they are about.
 */
export function RecordForm({
  register,
  record,
  readOnly,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  register: RegisterType;
  record: Record<string, unknown> | null;
  readOnly: boolean;
  pending: boolean;
  error: unknown;
  onSubmit: (input: Record<string, unknown>, form: UseFormReturnType<FormValues>) => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const specs = useMemo(() => fieldSpecsOf(register), [register]);
  const form = useForm<FormValues>({ initialValues: toFormValues(specs, record) });

  function submit(values: FormValues) {
    const { input, badJson } = toRecordInput(specs, values);
    if (badJson.length > 0) {
      form.setErrors(Object.fromEntries(badJson.map((p) => [p, t('form.badJson')])));
      return;
    }
    const parsed = recordInputSchemaOf(register).safeParse(input);
    if (!parsed.success) {
      form.setErrors(zodFieldErrors(parsed.error, t, i18n.language));
      return;
    }
    onSubmit(input, form);
  }

  return (
    <form noValidate onSubmit={form.onSubmit(submit)}>
      <Stack gap="sm">
        <ErrorAlert error={error} />
        {specs.map((s) => (
          <Control key={s.path} spec={s} form={form} readOnly={readOnly} />
        ))}
        <Group justify="flex-end" pos="sticky" bottom={0} bg="var(--mantine-color-body)" py="sm">
          <Button variant="default" onClick={onCancel}>
            {readOnly ? t('common.close') : t('common.cancel')}
          </Button>
          {!readOnly && (
            <Button type="submit" loading={pending}>
              {t('common.save')}
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** After a refused save: the server's field issues on their fields. */
export function applyServerErrors(error: unknown, form: UseFormReturnType<FormValues>) {
  if (isApiError(error, 'VALIDATION_FAILED')) form.setErrors(serverFieldErrors(error));
}
