import type { Catalog } from '@ntg/catalog';
import type { CatalogDiff, CatalogNode } from '@ntg/contracts';
import { AppError } from '../shared/app-error.ts';

export interface CatalogSource {
  load(version?: string, language?: string): Catalog;
  versions(): { version: string; language: string }[];
  diff(a: Catalog, b: Catalog): CatalogDiff;
}

export interface CatalogQuery {
  version?: string | undefined;
  language?: string | undefined;
  chapter?: number | undefined;
  article?: number | undefined;
}

export interface CatalogService {
  catalog(version?: string, language?: string): Catalog;
  list(query: CatalogQuery): { catalog: Catalog; nodes: CatalogNode[] };
  node(id: string, version?: string, language?: string): CatalogNode;
  versions(): { version: string; language: string }[];
  diff(from: string, to: string): CatalogDiff;
}

/** Read access to the versioned directions, with the product's error codes for unknown versions and ids. */
export function createCatalogService(source: CatalogSource): CatalogService {
  function catalog(version?: string, language?: string): Catalog {
    const known = source.versions();
    if (
      version !== undefined &&
      !known.some((v) => v.version === version && (language === undefined || v.language === language))
    ) {
      const list = [...new Set(known.map((v) => v.version))].join(', ');
      throw new AppError(
        'CATALOG_VERSION_NOT_FOUND',
        `No catalog version "${version}"${language ? ` in ${language}` : ''}; known: ${list}.`,
      );
    }
    return source.load(version, language);
  }

  return {
    catalog,
    list(query) {
      const c = catalog(query.version, query.language);
      const nodes = c.nodes.filter(
        (n) =>
          (query.chapter === undefined || n.chapter.number === query.chapter) &&
          (query.article === undefined || n.article === query.article),
      );
      return { catalog: c, nodes };
    },
    node(id, version, language) {
      const c = catalog(version, language);
      const node = c.get(id);
      if (node === undefined) {
        throw new AppError(
          'CATALOG_NODE_NOT_FOUND',
          `No node ${id} in the directions of ${c.version}; ids look like A37, A37.5 or A17.4.5.`,
        );
      }
      return node;
    },
    versions: () => source.versions(),
    diff(from, to) {
      return source.diff(catalog(from), catalog(to));
    },
  };
}
