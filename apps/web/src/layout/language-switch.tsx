import { SegmentedControl } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type ConsoleLocale, consoleLocaleSchema, consoleLocales } from '@ntg/contracts';
import { useTranslation } from 'react-i18next';
import { useSession, useUpdateLocale } from '../auth/session-queries.ts';
import { rememberLocale } from '../i18n/i18n.ts';

/** en / 繁體中文: applied at once, and saved on the user's account when signed in. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const update = useUpdateLocale();
  const current = consoleLocaleSchema.catch('en').parse(i18n.language);

  function change(value: string) {
    const locale: ConsoleLocale = consoleLocaleSchema.parse(value);
    rememberLocale(locale);
    void i18n.changeLanguage(locale);
    if (session.data) {
      update.mutate(locale, {
        onError: () => notifications.show({ color: 'red', message: t('language.saveFailed') }),
      });
    }
  }

  return (
    <SegmentedControl
      size="xs"
      aria-label={t('language.label')}
      value={current}
      onChange={change}
      data={consoleLocales.map((l) => ({ value: l, label: t(`language.${l}`) }))}
    />
  );
}
