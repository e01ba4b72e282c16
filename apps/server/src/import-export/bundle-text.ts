import { AppError } from '@ntg/core';
import YAML from 'yaml';

export type BundleTextFormat = 'json' | 'yaml';

/** The bundle file's format from its name: .json is JSON, .yaml and .yml are YAML; anything else is sniffed. */
export function bundleFormatOfFilename(filename: string): BundleTextFormat | undefined {
  const lower = filename.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

function textError(what: string, issues: { path: string; message: string }[]): AppError {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new AppError('VALIDATION_FAILED', `The file is not valid ${what}: ${first?.path}: ${first?.message}${more}.`, {
    issues,
  });
}

/**
 * The value of a bundle written as JSON or YAML (a JSON file is also YAML, but JSON's own parser gives better
 * messages for it). YAML is read as YAML 1.2 with its core schema: no custom tags, so a file cannot make the parser
 * build objects, dates stay the strings the registers expect, duplicate keys are errors, and aliases are capped so
 * a small file cannot expand into a huge one.
 */
export function parseBundleText(text: string, format?: BundleTextFormat): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const kind = format ?? (body.trimStart().startsWith('{') ? 'json' : 'yaml');
  if (kind === 'json') {
    try {
      return JSON.parse(body) as unknown;
    } catch (error) {
      throw textError('JSON', [{ path: '(file)', message: (error as Error).message }]);
    }
  }
  const doc = YAML.parseDocument(body, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw textError(
      'YAML',
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          path: pos === undefined ? '(file)' : `line ${pos.line}, column ${pos.col}`,
          // The first line, without the position it repeats (the path has it).
          message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
        };
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (error) {
    throw textError('YAML', [{ path: '(file)', message: (error as Error).message }]);
  }
}

/** A bundle as text: two-space JSON, or YAML with long lines kept whole (notes are prose). */
export function formatBundleText(bundle: unknown, format: BundleTextFormat): string {
  if (format === 'json') return `${JSON.stringify(bundle, null, 2)}\n`;
  return YAML.stringify(bundle, { version: '1.2', lineWidth: 0 });
}

export const yamlContentType = 'application/yaml; charset=utf-8';
