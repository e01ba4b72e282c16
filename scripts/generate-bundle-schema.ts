/**
 * Writes docs/bundle.schema.json from the bundle's zod schema (two-space JSON; Biome leaves the file alone):
 *   node --import tsx scripts/generate-bundle-schema.ts
 * A test (apps/server/test/published-formats.test.ts) fails while the committed file differs from what this
 * generates, so the published schema cannot drift from what the importer accepts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleJsonSchema } from '@ntg/contracts';

const target = fileURLToPath(new URL('../docs/bundle.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(bundleJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
