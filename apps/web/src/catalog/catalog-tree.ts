import type { CatalogNode } from '@ntg/contracts';

export interface TreeNode {
  node: CatalogNode;
  children: TreeNode[];
}

export interface ChapterBranch {
  number: number;
  roman: string;
  title: string;
  articles: TreeNode[];
}

/** The flat node list as chapters → articles → paragraphs → items, each level in the directions' order. */
export function buildCatalogTree(nodes: readonly CatalogNode[]): ChapterBranch[] {
  const byId = new Map<string, TreeNode>();
  for (const node of nodes) byId.set(node.id, { node, children: [] });
  const chapters = new Map<number, ChapterBranch>();
  const order = (a: TreeNode, b: TreeNode) =>
    a.node.article - b.node.article ||
    (a.node.paragraph ?? 0) - (b.node.paragraph ?? 0) ||
    (a.node.item ?? 0) - (b.node.item ?? 0);
  for (const tree of byId.values()) {
    const parent = tree.node.parentId === null ? undefined : byId.get(tree.node.parentId);
    if (parent !== undefined) {
      parent.children.push(tree);
      continue;
    }
    const { chapter } = tree.node;
    let branch = chapters.get(chapter.number);
    if (branch === undefined) {
      branch = { number: chapter.number, roman: chapter.roman, title: chapter.title, articles: [] };
      chapters.set(chapter.number, branch);
    }
    branch.articles.push(tree);
  }
  for (const tree of byId.values()) tree.children.sort(order);
  const list = [...chapters.values()].sort((a, b) => a.number - b.number);
  for (const c of list) c.articles.sort(order);
  return list;
}

/** Whether a node or any of its descendants mentions the search text (id, title or text). */
export function matches(tree: TreeNode, needle: string): boolean {
  if (needle === '') return true;
  const n = needle.toLowerCase();
  const { node } = tree;
  if (node.id.toLowerCase() === n || node.title.toLowerCase().includes(n) || node.text.toLowerCase().includes(n)) {
    return true;
  }
  return tree.children.some((c) => matches(c, needle));
}
