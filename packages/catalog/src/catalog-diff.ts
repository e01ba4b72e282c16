import type { CatalogDiff, CatalogNode } from '@ntg/contracts';
import { catalogNodeSchema } from '@ntg/contracts';
import type { Catalog } from './catalog-loader.ts';

/** Node fields in schema order, so `changed[].fields` always lists them in the same order. */
const NODE_FIELDS = Object.keys(catalogNodeSchema.shape) as (keyof CatalogNode)[];

/**
 * What changed between two catalogs, by node id. Ids are stable across versions (A37.5 stays A37.5 when the
 * directions are amended, as Taiwanese amendments keep article numbers), so an assessment made against one
 * version can be carried to the next: `added` needs new answers, `removed` answers are dropped, `changed` nodes
 * are re-reviewed, and the listed fields say whether only the reading (obligation, applicability, ...) or the
 * text itself moved.
 *
 * added is in b's document order, removed and changed in a's.
 */
export function diffCatalogs(a: Catalog, b: Catalog): CatalogDiff {
  const before = new Map(a.nodes.map((node) => [node.id, node]));
  const after = new Map(b.nodes.map((node) => [node.id, node]));

  const changed: CatalogDiff['changed'] = [];
  for (const node of a.nodes) {
    const other = after.get(node.id);
    if (other) {
      const fields = NODE_FIELDS.filter((field) => !deepEqual(node[field], other[field]));
      if (fields.length > 0) {
        changed.push({ id: node.id, fields });
      }
    }
  }

  return {
    from: a.version,
    to: b.version,
    added: b.nodes.filter((node) => !before.has(node.id)).map((node) => node.id),
    removed: a.nodes.filter((node) => !after.has(node.id)).map((node) => node.id),
    changed,
  };
}

/** Structural equality for the JSON-shaped values of a node; key order does not matter. */
function deepEqual(x: unknown, y: unknown): boolean {
  if (x === y) {
    return true;
  }
  if (Array.isArray(x) || Array.isArray(y)) {
    return (
      Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((value, i) => deepEqual(value, y[i]))
    );
  }
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) {
    return false;
  }
  const xKeys = Object.keys(x);
  const yRecord = y as Record<string, unknown>;
  const xRecord = x as Record<string, unknown>;
  return (
    xKeys.length === Object.keys(y).length &&
    xKeys.every((key) => Object.hasOwn(yRecord, key) && deepEqual(xRecord[key], yRecord[key]))
  );
}
