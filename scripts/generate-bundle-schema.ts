/**
 * Writes docs/bundle.schema.json from the bundle's zod schema, formatted by Biome like every other file:
 *   node --import tsx scripts/generate-bundle-schema.ts
 * A test (apps/server/test/published-formats.test.ts) fails while the committed file differs from what this
 * generates, so the published schema cannot drift from what the importer accepts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleJsonSchema } from '@ntg/contracts';

const target = fileURLToPath(new URL('../docs/bundle.schema.json', import.meta.url));
const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
writeFileSync(target, `${JSON.stringify(bundleJsonSchema(), null, 2)}\n`);
execFileSync(biome, ['format', '--write', target], { stdio: 'inherit' });
process.stdout.write(`wrote ${target}\n`);
