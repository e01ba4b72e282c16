import type { CatalogNode } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { buildCatalogTree, matches } from './catalog-tree.ts';

function node(id: string, parentId: string | null, chapter = 1, text = ''): CatalogNode {
  const [article, paragraph, item] = id.slice(1).split('.').map(Number);
  return {
    id,
    parentId,
    article: article ?? 1,
    paragraph: paragraph ?? null,
    item: item ?? null,
    chapter: { number: chapter, roman: chapter === 1 ? 'I' : 'II', title: `Chapter ${chapter}` },
    title: `Article ${article}`,
    text,
    kind: 'requirement',
    obligation: 'shall',
    statements: [],
    actor: null,
    cadence: null,
    parameters: [],
    applicability: { always: true },
    evidence: [],
  };
}

describe('catalog tree', () => {
  const tree = buildCatalogTree([
    node('A12.2', 'A12', 2),
    node('A3', null, 1),
    node('A12', null, 2),
    node('A12.1', 'A12', 2, 'social media policy'),
    node('A3.1', 'A3', 1),
  ]);

  it('groups articles under chapters and paragraphs under articles, in order', () => {
    expect(tree.map((c) => c.number)).toEqual([1, 2]);
    expect(tree[1]?.articles.map((a) => a.node.id)).toEqual(['A12']);
    expect(tree[1]?.articles[0]?.children.map((p) => p.node.id)).toEqual(['A12.1', 'A12.2']);
  });

  it('finds an article by the text of one of its paragraphs', () => {
    const a12 = tree[1]?.articles[0];
    expect(a12 !== undefined && matches(a12, 'Social Media')).toBe(true);
    expect(a12 !== undefined && matches(a12, 'cloud')).toBe(false);
  });
});
