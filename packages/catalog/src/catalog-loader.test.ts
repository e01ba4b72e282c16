import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CatalogDataError, CatalogNotFoundError } from './catalog-errors.ts';
import { listCatalogVersions, listCatalogVersionsIn, loadCatalog, loadCatalogFrom } from './catalog-loader.ts';

const shippedDir = fileURLToPath(new URL('../data/', import.meta.url));
const tempDirs: string[] = [];

afterEach(() => {
  for (const dir of tempDirs.splice(0)) {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A data folder holding a copy of the shipped 2022-05-11 catalog and its source text. */
function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ntg-catalog-'));
  tempDirs.push(dir);
  cpSync(join(shippedDir, '2022-05-11'), join(dir, '2022-05-11'), { recursive: true });
  return dir;
}

function readShipped(): Record<string, unknown> & { nodes: Record<string, unknown>[] } {
  return parse(readFileSync(join(shippedDir, '2022-05-11', 'catalog.en.yaml'), 'utf8'));
}

function writeCatalog(dir: string, version: string, language: string, data: unknown): string {
  mkdirSync(join(dir, version), { recursive: true });
  cpSync(join(shippedDir, '2022-05-11', 'source.en.txt'), join(dir, version, 'source.en.txt'));
  const file = join(dir, version, `catalog.${language}.yaml`);
  writeFileSync(file, typeof data === 'string' ? data : stringify(data));
  return file;
}

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('loadCatalog (shipped data)', () => {
  it('lists the shipped versions with their languages', () => {
    expect(listCatalogVersions()).toContainEqual({ version: '2022-05-11', language: 'en' });
  });

  it('defaults to the latest English version and returns the cached instance', () => {
    const latest = listCatalogVersions()
      .filter((ref) => ref.language === 'en')
      .at(-1);
    const catalog = loadCatalog();
    expect(catalog.version).toBe(latest?.version);
    expect(catalog.language).toBe('en');
    expect(loadCatalog(catalog.version, 'en')).toBe(catalog);
  });

  it('raises CATALOG_VERSION_NOT_FOUND for an unknown version or language', () => {
    const unknownVersion = catchError(() => loadCatalog('1999-01-01'));
    expect(unknownVersion).toBeInstanceOf(CatalogNotFoundError);
    expect(unknownVersion).toMatchObject({ code: 'CATALOG_VERSION_NOT_FOUND' });
    expect(String(unknownVersion)).toMatch(/1999-01-01.*available: 2022-05-11\/en/);
    expect(catchError(() => loadCatalog('2022-05-11', 'fr'))).toMatchObject({ code: 'CATALOG_VERSION_NOT_FOUND' });
  });

  it('returns undefined from get() for an unknown id, and raises CATALOG_NODE_NOT_FOUND from children/ancestors', () => {
    const catalog = loadCatalog('2022-05-11');
    expect(catalog.get('A99')).toBeUndefined();
    expect(catalog.get('A37.5')?.id).toBe('A37.5');
    expect(catchError(() => catalog.children('A99'))).toMatchObject({ code: 'CATALOG_NODE_NOT_FOUND' });
    expect(catchError(() => catalog.ancestors('A1.9'))).toMatchObject({ code: 'CATALOG_NODE_NOT_FOUND' });
  });

  it('navigates children in document order and ancestors article first', () => {
    const catalog = loadCatalog('2022-05-11');
    expect(catalog.children('A36.1').map((n) => n.id)).toEqual(['A36.1.1', 'A36.1.2', 'A36.1.3']);
    expect(catalog.children('A36.1.1')).toEqual([]);
    expect(catalog.ancestors('A12.1.4').map((n) => n.id)).toEqual(['A12', 'A12.1']);
    expect(catalog.ancestors('A12')).toEqual([]);
  });

  it('is frozen all the way down', () => {
    const catalog = loadCatalog('2022-05-11');
    const a375 = catalog.get('A37.5');
    expect(Object.isFrozen(catalog)).toBe(true);
    expect(Object.isFrozen(catalog.nodes)).toBe(true);
    expect(Object.isFrozen(catalog.chapters[0])).toBe(true);
    expect(Object.isFrozen(a375?.parameters[0])).toBe(true);
    expect(Object.isFrozen(catalog.children('A37'))).toBe(true);
    expect(() => {
      (catalog.nodes as unknown[]).push({});
    }).toThrow(TypeError);
  });
});

describe('loadCatalogFrom (a data folder)', () => {
  it('discovers a new version and a new language from files alone, and defaults to the latest version', () => {
    const dir = tempDataDir();
    writeCatalog(dir, '2024-12-27', 'en', { ...readShipped(), version: '2024-12-27' });
    writeCatalog(dir, '2024-12-27', 'zh-TW', { ...readShipped(), version: '2024-12-27', language: 'zh-TW' });
    mkdirSync(join(dir, 'drafts'));
    expect(listCatalogVersionsIn(dir)).toEqual([
      { version: '2022-05-11', language: 'en' },
      { version: '2024-12-27', language: 'en' },
      { version: '2024-12-27', language: 'zh-TW' },
    ]);
    expect(loadCatalogFrom(dir).version).toBe('2024-12-27');
    expect(loadCatalogFrom(dir, undefined, 'zh-TW').language).toBe('zh-TW');
    expect(loadCatalogFrom(dir, '2022-05-11').nodes).toHaveLength(132);
  });

  it('lists nothing for a missing folder and raises CATALOG_VERSION_NOT_FOUND', () => {
    const missing = join(tmpdir(), 'ntg-catalog-does-not-exist');
    expect(listCatalogVersionsIn(missing)).toEqual([]);
    expect(catchError(() => loadCatalogFrom(missing))).toMatchObject({ code: 'CATALOG_VERSION_NOT_FOUND' });
  });

  it('reports malformed YAML with the file name and position', () => {
    const dir = tempDataDir();
    const file = join(dir, '2022-05-11', 'catalog.en.yaml');
    writeFileSync(file, "version: '2022-05-11'\nnodes: [ { id: A1 \n");
    const error = catchError(() => loadCatalogFrom(dir, '2022-05-11'));
    expect(error).toBeInstanceOf(CatalogDataError);
    expect(error).toMatchObject({ code: 'INTERNAL', file });
    expect(String(error)).toContain(file);
    expect(String(error)).toMatch(/line \d+/);
  });

  it('names the file, node and field when a node fails the schema', () => {
    const dir = tempDataDir();
    const data = readShipped();
    const a42 = data.nodes.find((n) => n.id === 'A4.2');
    if (a42) {
      a42.obligation = 'must';
      a42.priority = 'high';
    }
    const file = writeCatalog(dir, '2022-05-11', 'en', data);
    const error = catchError(() => loadCatalogFrom(dir, '2022-05-11'));
    expect(error).toBeInstanceOf(CatalogDataError);
    expect(error).toMatchObject({ file, nodeId: 'A4.2' });
    expect(String(error)).toMatch(/nodes\[\d+\] \(A4\.2\)\.obligation/);
    expect(String(error)).toMatch(/priority/);
  });

  it('rejects duplicate ids, ids that do not match their numbers and dangling parents', () => {
    const dir = tempDataDir();
    const data = readShipped();
    const [first] = data.nodes;
    if (first) {
      first.id = 'A2';
    }
    const orphan = data.nodes.find((n) => n.id === 'A17.4.5');
    if (orphan) {
      Object.assign(orphan, { id: 'A17.9.5', paragraph: 9, parentId: 'A17.9' });
    }
    writeCatalog(dir, '2022-05-11', 'en', data);
    const error = catchError(() => loadCatalogFrom(dir, '2022-05-11'));
    expect(error).toBeInstanceOf(CatalogDataError);
    const message = String(error);
    expect(message).toMatch(/\(A2\): id does not match its numbers \(expected A1\)/);
    expect(message).toMatch(/\(A2\): duplicate id/);
    expect(message).toMatch(/\(A17\.9\.5\): parent A17\.9 does not precede it/);
  });

  it('rejects a header whose version does not match its folder or whose source text is missing', () => {
    const dir = tempDataDir();
    writeCatalog(dir, '2024-12-27', 'en', readShipped());
    rmSync(join(dir, '2024-12-27', 'source.en.txt'));
    const message = String(catchError(() => loadCatalogFrom(dir, '2024-12-27')));
    expect(message).toMatch(/version: '2022-05-11' does not match its folder '2024-12-27'/);
    expect(message).toMatch(/source: source text 'source.en.txt' is not in the version folder/);
  });

  it('rejects a node whose chapter or article title disagrees with the header and its article', () => {
    const dir = tempDataDir();
    const data = readShipped();
    const a41 = data.nodes.find((n) => n.id === 'A4.1');
    if (a41) {
      a41.chapter = { number: 2, roman: 'II', title: 'Renamed' };
      a41.title = 'Another title';
    }
    writeCatalog(dir, '2022-05-11', 'en', data);
    const message = String(catchError(() => loadCatalogFrom(dir, '2022-05-11')));
    expect(message).toMatch(/\(A4\.1\): chapter 2 differs from the header's chapters/);
    expect(message).toMatch(/\(A4\.1\): title differs from its article's title/);
  });
});
