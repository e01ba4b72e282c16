import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CatalogNode, Chapter } from '@ntg/contracts';
import { catalogNodeSchema, chapterSchema } from '@ntg/contracts';
import { parseDocument } from 'yaml';
import type { CatalogDataIssue } from './catalog-errors.ts';
import { CatalogDataError, CatalogNotFoundError } from './catalog-errors.ts';

/**
 * One version of the directions in one language. Frozen all the way down: the text of a regulation does not
 * change after announcement, and consumers (server, CLI, assessments) share the cached instance.
 */
export interface Catalog {
  readonly version: string;
  readonly language: string;
  readonly title: string;
  /** File name of the source text the catalog was checked against, inside the version folder. */
  readonly source: string;
  readonly chapters: readonly Chapter[];
  /** Document order: article, its paragraphs, their items (A1, A2, A2.1, ..., A17.4, A17.4.1, ...). */
  readonly nodes: readonly CatalogNode[];
  get(id: string): CatalogNode | undefined;
  /** Direct children in document order; throws CATALOG_NODE_NOT_FOUND for an unknown id. */
  children(id: string): readonly CatalogNode[];
  /** Article first, then paragraph (breadcrumb order), without the node itself; throws for an unknown id. */
  ancestors(id: string): readonly CatalogNode[];
}

export interface CatalogVersionRef {
  version: string;
  language: string;
}

/** Versions are named after the announcement date (2022-05-11; the amendment will be 2024-12-27). */
const VERSION_DIR = /^\d{4}-\d{2}-\d{2}$/;
/** catalog.en.yaml, catalog.zh-TW.yaml: the language tag sits in the file name, so a translation is only data. */
const CATALOG_FILE = /^catalog\.([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\.yaml$/;
const HEADER_KEYS = ['version', 'language', 'title', 'source', 'chapters', 'nodes'] as const;
const DEFAULT_LANGUAGE = 'en';
// strict(): an unknown or misspelt key ("obligaton", "note") must fail instead of being silently dropped.
const strictNodeSchema = catalogNodeSchema.strict();
const strictChapterSchema = chapterSchema.strict();

const defaultDataDir = fileURLToPath(new URL('../data/', import.meta.url));

/** Lists the catalogs in a data folder (`<dir>/<version>/catalog.<language>.yaml`), oldest version first. */
export function listCatalogVersionsIn(dataDir: string): CatalogVersionRef[] {
  if (!existsSync(dataDir)) {
    return [];
  }
  const refs: CatalogVersionRef[] = [];
  for (const entry of readdirSync(dataDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !VERSION_DIR.test(entry.name)) {
      continue;
    }
    for (const file of readdirSync(join(dataDir, entry.name))) {
      const match = CATALOG_FILE.exec(file);
      if (match?.[1]) {
        refs.push({ version: entry.name, language: match[1] });
      }
    }
  }
  // ISO dates sort as strings, so the last version is the latest.
  return refs.sort((a, b) => a.version.localeCompare(b.version) || a.language.localeCompare(b.language));
}

/**
 * Loads one catalog from a data folder, reading and validating it on every call (tests point this at temporary
 * folders). Without a version, the latest version that exists in the language is used.
 */
export function loadCatalogFrom(dataDir: string, version?: string, language: string = DEFAULT_LANGUAGE): Catalog {
  const ref = resolveVersion(listCatalogVersionsIn(dataDir), version, language);
  const folder = join(dataDir, ref.version);
  const file = join(folder, `catalog.${ref.language}.yaml`);
  return parseCatalog(readFileSync(file, 'utf8'), file, ref, (source) => existsSync(join(folder, source)));
}

let shippedVersions: readonly CatalogVersionRef[] | undefined;
const shippedCatalogs = new Map<string, Catalog>();

/** The catalogs shipped with this package, oldest version first. */
export function listCatalogVersions(): CatalogVersionRef[] {
  shippedVersions ??= Object.freeze(listCatalogVersionsIn(defaultDataDir).map((ref) => Object.freeze(ref)));
  return shippedVersions.map((ref) => ({ ...ref }));
}

/**
 * A catalog shipped with this package (default: the latest version, English). Cached: the data files are part
 * of the release and a catalog is immutable, so every caller can share one instance.
 */
export function loadCatalog(version?: string, language: string = DEFAULT_LANGUAGE): Catalog {
  const ref = resolveVersion(listCatalogVersions(), version, language);
  const key = `${ref.version}/${ref.language}`;
  let catalog = shippedCatalogs.get(key);
  if (!catalog) {
    catalog = loadCatalogFrom(defaultDataDir, ref.version, ref.language);
    shippedCatalogs.set(key, catalog);
  }
  return catalog;
}

function resolveVersion(refs: readonly CatalogVersionRef[], version: string | undefined, language: string) {
  const inLanguage = refs.filter((ref) => ref.language === language);
  const found = version === undefined ? inLanguage.at(-1) : inLanguage.find((ref) => ref.version === version);
  if (!found) {
    const available = refs.map((ref) => `${ref.version}/${ref.language}`).join(', ') || 'none';
    const wanted = version === undefined ? `any version in language '${language}'` : `version ${version}/${language}`;
    throw new CatalogNotFoundError('CATALOG_VERSION_NOT_FOUND', `no catalog for ${wanted} (available: ${available})`);
  }
  return found;
}

/**
 * Parses and checks one catalog file. `sourceExists` is asked whether the source file named in the header is
 * present, because the parity tests (and a reviewer) need the text the catalog claims to reproduce.
 */
export function parseCatalog(
  yamlText: string,
  file: string,
  expected: CatalogVersionRef,
  sourceExists: (source: string) => boolean = () => true,
): Catalog {
  const document = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    throw new CatalogDataError(file, [{ path: '(yaml)', message: yamlError.message }]);
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    throw new CatalogDataError(file, [
      { path: '(yaml)', message: error instanceof Error ? error.message : String(error) },
    ]);
  }

  const header = checkHeader(data, file, expected, sourceExists);
  const nodes = checkNodes(header.rawNodes, header.chapters, file);
  return buildCatalog({ ...header, nodes });
}

interface CheckedHeader {
  version: string;
  language: string;
  title: string;
  source: string;
  chapters: Chapter[];
  rawNodes: unknown[];
}

function checkHeader(
  data: unknown,
  file: string,
  expected: CatalogVersionRef,
  sourceExists: (source: string) => boolean,
): CheckedHeader {
  if (!isRecord(data)) {
    throw new CatalogDataError(file, [{ path: '(root)', message: 'expected a mapping with a header and nodes' }]);
  }
  const issues: CatalogDataIssue[] = [];
  for (const key of Object.keys(data)) {
    if (!(HEADER_KEYS as readonly string[]).includes(key)) {
      issues.push({ path: key, message: `unknown header key (expected ${HEADER_KEYS.join(', ')})` });
    }
  }
  const text = (key: 'version' | 'language' | 'title' | 'source'): string => {
    const value = data[key];
    if (typeof value === 'string' && value !== '') {
      return value;
    }
    issues.push({ path: key, message: 'expected a non-empty string' });
    return '';
  };
  const version = text('version');
  const language = text('language');
  const title = text('title');
  const source = text('source');
  // The folder and file name decide where a catalog is found; the header must agree so a copied file that was
  // not updated cannot masquerade as another version.
  if (version !== '' && version !== expected.version) {
    issues.push({ path: 'version', message: `'${version}' does not match its folder '${expected.version}'` });
  }
  if (language !== '' && language !== expected.language) {
    issues.push({ path: 'language', message: `'${language}' does not match the file name '${expected.language}'` });
  }
  if (source !== '' && !sourceExists(source)) {
    issues.push({ path: 'source', message: `source text '${source}' is not in the version folder` });
  }

  const chapters: Chapter[] = [];
  if (Array.isArray(data.chapters) && data.chapters.length > 0) {
    data.chapters.forEach((raw, index) => {
      const parsed = strictChapterSchema.safeParse(raw);
      if (!parsed.success) {
        issues.push(...parsed.error.issues.map((issue) => zodIssue(`chapters[${index}]`, issue)));
      } else if (parsed.data.number !== index + 1) {
        issues.push({ path: `chapters[${index}].number`, message: `expected chapter ${index + 1}` });
      } else {
        chapters.push(parsed.data);
      }
    });
  } else {
    issues.push({ path: 'chapters', message: 'expected a non-empty list' });
  }
  if (!Array.isArray(data.nodes) || data.nodes.length === 0) {
    issues.push({ path: 'nodes', message: 'expected a non-empty list' });
  }
  if (issues.length > 0) {
    throw new CatalogDataError(file, issues);
  }
  return { version, language, title, source, chapters, rawNodes: Array.isArray(data.nodes) ? data.nodes : [] };
}

function checkNodes(rawNodes: unknown[], chapters: Chapter[], file: string): CatalogNode[] {
  const issues: CatalogDataIssue[] = [];
  let firstBadNode: string | undefined;
  const fail = (path: string, id: string | undefined, message: string): void => {
    issues.push({ path, message });
    firstBadNode ??= id;
  };

  // 1. Every node against the contract.
  const nodes: CatalogNode[] = [];
  rawNodes.forEach((raw, index) => {
    const id = isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
    const where = id === undefined ? `nodes[${index}]` : `nodes[${index}] (${id})`;
    const parsed = strictNodeSchema.safeParse(raw);
    if (parsed.success) {
      nodes.push(parsed.data);
    } else {
      for (const issue of parsed.error.issues) {
        const { path, message } = zodIssue(where, issue);
        fail(path, id, message);
      }
    }
  });
  if (issues.length > 0) {
    throw new CatalogDataError(file, issues, firstBadNode);
  }

  // 2. Structure: ids are derived from the numbers, so a node cannot claim one place and sit in another.
  const seen = new Map<string, CatalogNode>();
  let previous: CatalogNode | undefined;
  nodes.forEach((node, index) => {
    const where = `nodes[${index}] (${node.id})`;
    const problem = (message: string): void => fail(where, node.id, message);
    const expectedId = idOf(node.article, node.paragraph, node.item);
    if (node.item !== null && node.paragraph === null) {
      problem('an item needs a paragraph number');
    } else if (node.id !== expectedId) {
      problem(`id does not match its numbers (expected ${expectedId})`);
    }
    if (seen.has(node.id)) {
      problem('duplicate id');
    }
    const expectedParent =
      node.item !== null
        ? idOf(node.article, node.paragraph, null)
        : node.paragraph !== null
          ? idOf(node.article, null, null)
          : null;
    if (node.parentId !== expectedParent) {
      problem(`parentId must be ${expectedParent === null ? 'null' : expectedParent}`);
    } else if (node.parentId !== null && !seen.has(node.parentId)) {
      problem(`parent ${node.parentId} does not precede it`);
    }
    if (previous && compareOrder(previous, node) >= 0) {
      problem(`out of document order after ${previous.id}`);
    }
    const chapter = chapters.find((candidate) => candidate.number === node.chapter.number);
    if (!chapter || !sameChapter(chapter, node.chapter)) {
      problem(`chapter ${node.chapter.number} differs from the header's chapters`);
    } else if (previous && node.chapter.number < previous.chapter.number) {
      problem('chapter numbers go backwards');
    }
    const article = seen.get(idOf(node.article, null, null));
    if (node.parentId !== null && article && article.title !== node.title) {
      problem(`title differs from its article's title '${article.title}'`);
    }
    seen.set(node.id, node);
    previous = node;
  });
  if (issues.length > 0) {
    throw new CatalogDataError(file, issues, firstBadNode);
  }
  return nodes;
}

function buildCatalog(parts: Omit<CheckedHeader, 'rawNodes'> & { nodes: CatalogNode[] }): Catalog {
  const nodes = Object.freeze(parts.nodes.map((node) => deepFreeze(node)));
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const childLists = new Map<string, CatalogNode[]>();
  for (const node of nodes) {
    childLists.set(node.id, []);
    if (node.parentId !== null) {
      childLists.get(node.parentId)?.push(node);
    }
  }
  const children = new Map([...childLists].map(([id, list]) => [id, Object.freeze(list)]));
  const known = (id: string): CatalogNode => {
    const node = byId.get(id);
    if (!node) {
      throw new CatalogNotFoundError(
        'CATALOG_NODE_NOT_FOUND',
        `no node ${id} in catalog ${parts.version}/${parts.language}`,
      );
    }
    return node;
  };

  return Object.freeze({
    version: parts.version,
    language: parts.language,
    title: parts.title,
    source: parts.source,
    chapters: Object.freeze(parts.chapters.map((chapter) => Object.freeze(chapter))),
    nodes,
    get: (id: string): CatalogNode | undefined => byId.get(id),
    children: (id: string): readonly CatalogNode[] => children.get(known(id).id) ?? [],
    ancestors: (id: string): readonly CatalogNode[] => {
      const chain: CatalogNode[] = [];
      for (let parentId = known(id).parentId; parentId !== null; parentId = known(parentId).parentId) {
        chain.unshift(known(parentId));
      }
      return Object.freeze(chain);
    },
  });
}

function idOf(article: number, paragraph: number | null, item: number | null): string {
  return `A${article}${paragraph === null ? '' : `.${paragraph}`}${item === null ? '' : `.${item}`}`;
}

function compareOrder(a: CatalogNode, b: CatalogNode): number {
  return a.article - b.article || (a.paragraph ?? 0) - (b.paragraph ?? 0) || (a.item ?? 0) - (b.item ?? 0);
}

function sameChapter(a: Chapter, b: Chapter): boolean {
  return a.number === b.number && a.roman === b.roman && a.title === b.title;
}

function zodIssue(where: string, issue: { path: PropertyKey[]; message: string }): CatalogDataIssue {
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  return { path: `${where}${path}`, message: issue.message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) {
      deepFreeze(inner);
    }
    Object.freeze(value);
  }
  return value;
}
