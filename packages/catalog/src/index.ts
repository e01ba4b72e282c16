export type { ApplicabilityDecision, ProfileFlags } from './applicability.ts';
export { explainApplicability, flagsOf, isApplicable } from './applicability.ts';
export { diffCatalogs } from './catalog-diff.ts';
export type { CatalogDataIssue, CatalogNotFoundCode } from './catalog-errors.ts';
export { CatalogDataError, CatalogNotFoundError } from './catalog-errors.ts';
export type { Catalog, CatalogVersionRef } from './catalog-loader.ts';
export {
  listCatalogVersions,
  listCatalogVersionsIn,
  loadCatalog,
  loadCatalogFrom,
  parseCatalog,
} from './catalog-loader.ts';
export { compareObligations, obligationMarkersIn, obligationsByStrength, strongestObligation } from './obligations.ts';
export type {
  SourceArticle,
  SourceChapter,
  SourceDocument,
  SourceItem,
  SourceNode,
  SourceParagraph,
} from './source-text-parser.ts';
export { parseSourceText, romanToNumber, SourceTextParseError, sourceNodes } from './source-text-parser.ts';
