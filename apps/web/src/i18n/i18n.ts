import { type ConsoleLocale, consoleLocaleSchema } from '@ntg/contracts';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zhTW from './zh-TW.json';

const storageKey = 'ntg.locale';

/** Before sign-in the console speaks the language last chosen on this browser, else the browser's own. */
export function initialLocale(): ConsoleLocale {
  const stored = consoleLocaleSchema.safeParse(localStorage.getItem(storageKey));
  if (stored.success) return stored.data;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-TW' : 'en';
}

export function rememberLocale(locale: ConsoleLocale): void {
  localStorage.setItem(storageKey, locale);
  document.documentElement.lang = locale;
}

export function setupI18n() {
  const lng = initialLocale();
  document.documentElement.lang = lng;
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-TW': { translation: zhTW } },
    lng,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}
