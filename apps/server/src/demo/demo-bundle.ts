import { readFileSync } from 'node:fs';
import { parseBundleText } from '../import-export/bundle-text.ts';

/** The demo organization as a bundle: realistic registers with deliberate gaps in every chapter (see the file). */
export const demoBundleFile = new URL('./demo-securities.bundle.yaml', import.meta.url);

/** The demo bundle's value, ready for `BundleService.importBundle`. */
export function readDemoBundle(): unknown {
  return parseBundleText(readFileSync(demoBundleFile, 'utf8'), 'yaml');
}
