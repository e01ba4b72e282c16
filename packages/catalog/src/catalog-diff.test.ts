import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { diffCatalogs } from './catalog-diff.ts';
import { loadCatalog, loadCatalogFrom } from './catalog-loader.ts';

const shippedDir = fileURLToPath(new URL('../data/', import.meta.url));
const tempDir = mkdtempSync(join(tmpdir(), 'ntg-catalog-diff-'));

afterAll(() => {
  rmSync(tempDir, { recursive: true, force: true });
});

type RawCatalog = { version: string; chapters: Record<string, unknown>[]; nodes: Record<string, unknown>[] };

/** Writes an edited copy of the shipped catalog as another version and loads it. */
function amendedCatalog(version: string, edit: (data: RawCatalog) => void) {
  const data: RawCatalog = parse(readFileSync(join(shippedDir, '2022-05-11', 'catalog.en.yaml'), 'utf8'));
  data.version = version;
  edit(data);
  mkdirSync(join(tempDir, version));
  cpSync(join(shippedDir, '2022-05-11', 'source.en.txt'), join(tempDir, version, 'source.en.txt'));
  writeFileSync(join(tempDir, version, 'catalog.en.yaml'), stringify(data));
  return loadCatalogFrom(tempDir, version, 'en');
}

function nodeOf(data: RawCatalog, id: string): Record<string, unknown> {
  const found = data.nodes.find((node) => node.id === id);
  if (!found) {
    throw new Error(`test data: no node ${id}`);
  }
  return found;
}

describe('diffCatalogs', () => {
  const original = loadCatalog('2022-05-11', 'en');

  it('reports nothing between a catalog and itself', () => {
    expect(diffCatalogs(original, original)).toEqual({
      from: '2022-05-11',
      to: '2022-05-11',
      added: [],
      removed: [],
      changed: [],
    });
  });

  it('reports exactly one changed, one added and one removed node with the changed fields', () => {
    const amended = amendedCatalog('2030-01-01', (data) => {
      Object.assign(nodeOf(data, 'A37.5'), { parameters: [{ name: 'maxFailedAttempts', value: 5 }] });
      const a377 = nodeOf(data, 'A37.7');
      data.nodes.splice(data.nodes.indexOf(a377) + 1, 0, {
        ...a377,
        id: 'A37.8',
        paragraph: 8,
        text: 'An organization shall review the lockout threshold.',
        statements: [{ text: 'An organization shall review the lockout threshold.', obligation: 'shall' }],
      });
      data.nodes.splice(data.nodes.indexOf(nodeOf(data, 'A41.3')), 1);
    });
    expect(diffCatalogs(original, amended)).toEqual({
      from: '2022-05-11',
      to: '2030-01-01',
      added: ['A37.8'],
      removed: ['A41.3'],
      changed: [{ id: 'A37.5', fields: ['parameters'] }],
    });
  });

  it('lists changed fields in schema order, whatever changed first', () => {
    const amended = amendedCatalog('2030-02-01', (data) => {
      Object.assign(nodeOf(data, 'A13.2'), { evidence: ['record'], obligation: 'shall', text: 'Changed text.' });
      Object.assign(nodeOf(data, 'A13.2'), { statements: [{ text: 'Changed text.', obligation: 'shall' }] });
    });
    expect(diffCatalogs(original, amended).changed).toEqual([
      { id: 'A13.2', fields: ['text', 'obligation', 'statements', 'evidence'] },
    ]);
  });

  it('flags every node of a renamed chapter (as the 2024-12-27 amendment renamed chapter II)', () => {
    const amended = amendedCatalog('2030-03-01', (data) => {
      const chapter2 = { number: 2, roman: 'II', title: 'Renamed Chapter II' };
      data.chapters[1] = chapter2;
      for (const node of data.nodes.filter((n) => (n.chapter as { number: number }).number === 2)) {
        node.chapter = chapter2;
      }
    });
    const diff = diffCatalogs(original, amended);
    const chapter2Ids = original.nodes.filter((node) => node.chapter.number === 2).map((node) => node.id);
    expect(diff.changed).toEqual(chapter2Ids.map((id) => ({ id, fields: ['chapter'] })));
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
  });
});
