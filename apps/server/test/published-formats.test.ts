import { readFileSync } from 'node:fs';
import { bundleJsonSchema, bundleSchema, registerTypes } from '@ntg/contracts';
import { csvColumnsOf } from '@ntg/core';
import { describe, expect, it } from 'vitest';
import { parseBundleText } from '../src/import-export/bundle-text.ts';

const doc = (name: string) => readFileSync(new URL(`../../../docs/${name}`, import.meta.url), 'utf8');

/** The formats people build files from are published in docs/; these tests keep the documents true. */
describe('published import formats', () => {
  it('docs/bundle.schema.json is what scripts/generate-bundle-schema.ts generates now', () => {
    // Compared as JSON values, so whitespace in the committed file does not matter.
    expect(JSON.parse(doc('bundle.schema.json'))).toEqual(JSON.parse(JSON.stringify(bundleJsonSchema())));
  });

  it('the example in docs/bundle-format.md is a valid bundle', () => {
    const example = /## Example\n\n```yaml\n([\s\S]*?)```/.exec(doc('bundle-format.md'))?.[1];
    expect(example).toBeDefined();
    const parsed = bundleSchema.safeParse(parseBundleText(example ?? '', 'yaml'));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('docs/csv-format.md lists the columns of every register in order', () => {
    const text = doc('csv-format.md');
    for (const register of registerTypes) {
      const listed = new RegExp(`### ${register}\\n\\n[^\\n]*\\n\\n\`\`\`csv\\n([^\\n]*)\\n`).exec(text)?.[1];
      expect(listed, register).toBe(
        csvColumnsOf(register)
          .map((c) => c.name)
          .join(','),
      );
    }
  });
});
