import type { ErrorCode } from '@ntg/contracts';

export type CatalogNotFoundCode = Extract<ErrorCode, 'CATALOG_VERSION_NOT_FOUND' | 'CATALOG_NODE_NOT_FOUND'>;

/**
 * A caller asked for a version, language or node the catalog does not have. The code comes from the contracts'
 * error table, so the server answers 404 and clients switch on `code` (this package cannot use core's AppError:
 * core depends on the catalog, not the other way round).
 */
export class CatalogNotFoundError extends Error {
  readonly code: CatalogNotFoundCode;

  constructor(code: CatalogNotFoundCode, message: string) {
    super(message);
    this.name = 'CatalogNotFoundError';
    this.code = code;
  }
}

export interface CatalogDataIssue {
  /** Where in the file: `nodes[12] (A4.2).obligation`, `chapters[1].title`, `version`, ... */
  path: string;
  message: string;
}

/**
 * A catalog file exists but is broken (invalid YAML, a node failing the schema, a dangling parent). The data
 * ships with the product, so this is our fault, not the caller's: code INTERNAL.
 */
export class CatalogDataError extends Error {
  readonly code: Extract<ErrorCode, 'INTERNAL'> = 'INTERNAL';
  readonly file: string;
  /** The first node named by the issues, when the problem is in a node. */
  readonly nodeId: string | undefined;
  readonly issues: readonly CatalogDataIssue[];

  constructor(file: string, issues: CatalogDataIssue[], nodeId?: string) {
    const shown = issues.slice(0, 10).map((issue) => `  ${issue.path}: ${issue.message}`);
    const more = issues.length > shown.length ? [`  ... and ${issues.length - shown.length} more`] : [];
    super([`invalid catalog file ${file}:`, ...shown, ...more].join('\n'));
    this.name = 'CatalogDataError';
    this.file = file;
    this.nodeId = nodeId;
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
  }
}
