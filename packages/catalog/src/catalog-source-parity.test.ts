import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listCatalogVersions, loadCatalog } from './catalog-loader.ts';
import { parseSourceText, sourceNodes } from './source-text-parser.ts';

const dataDir = fileURLToPath(new URL('../data/', import.meta.url));

// The catalog is hand-edited YAML; the source text is the regulation. Every shipped catalog must reproduce its
// source node for node, so a slip in the YAML (a lost typo, a merged paragraph, an extra node) cannot pass.
describe.each(listCatalogVersions())('catalog $version/$language matches its source text', ({ version, language }) => {
  const catalog = loadCatalog(version, language);
  const source = parseSourceText(readFileSync(`${dataDir}${version}/${catalog.source}`, 'utf8'));
  const expected = sourceNodes(source);

  it('has exactly the articles, paragraphs and items of the source, in the same order', () => {
    expect(catalog.nodes.map((node) => node.id)).toEqual(expected.map((node) => node.id));
  });

  it('gives every node the source text, numbers, parent, chapter and article title, character for character', () => {
    const actual = catalog.nodes.map((node) => ({
      id: node.id,
      parentId: node.parentId,
      article: node.article,
      paragraph: node.paragraph,
      item: node.item,
      chapter: node.chapter,
      title: node.title,
      text: node.text,
    }));
    expect(actual).toEqual(expected);
  });

  it('declares the chapters of the source in its header', () => {
    expect(catalog.chapters).toEqual(
      source.chapters.map((chapter) => ({ number: chapter.number, roman: chapter.roman, title: chapter.title })),
    );
  });

  it('is named after the announcement date and carries the title of the source', () => {
    expect(source.announcedDate?.replaceAll('.', '-')).toBe(version);
    expect(source.title.startsWith(catalog.title)).toBe(true);
  });
});

describe('catalog 2022-05-11/en', () => {
  it('has 7 chapters, 42 articles, 76 paragraphs and 14 items (132 nodes)', () => {
    const nodes = loadCatalog('2022-05-11', 'en').nodes;
    expect({
      chapters: new Set(nodes.map((node) => node.chapter.number)).size,
      articles: nodes.filter((node) => node.paragraph === null).length,
      paragraphs: nodes.filter((node) => node.paragraph !== null && node.item === null).length,
      items: nodes.filter((node) => node.item !== null).length,
      total: nodes.length,
    }).toEqual({ chapters: 7, articles: 42, paragraphs: 76, items: 14, total: 132 });
  });

  it('keeps the typos and glued words of the source ("andshall", "thesedirections")', () => {
    const catalog = loadCatalog('2022-05-11', 'en');
    expect(catalog.get('A6.1')?.text).toContain('andshall establish');
    expect(catalog.get('A31')?.text).toContain('of thesedirections.');
  });
});
