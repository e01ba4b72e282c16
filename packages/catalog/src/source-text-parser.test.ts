import { describe, expect, it } from 'vitest';
import { parseSourceText, romanToNumber, SourceTextParseError, sourceNodes } from './source-text-parser.ts';

const NBSP4 = '\u00a0'.repeat(4);

// A miniature of the TWSE page layout: header, chapters with an en dash (spacing varies), NBSP-indented lead-in
// text, two-space paragraphs and four-space items.
const sample = [
  'Title:',
  '',
  'Directions on Something\u00a0 CH',
  '',
  'Announced Date: 2022.05.11',
  'Categories: Information Operations',
  '   Chapter I \u2013 General Rules',
  `Article 1${NBSP4}(Purpose)`,
  `${NBSP4}These directions are established.   `,
  '   Chapter II \u2013Second Chapter',
  `Article 2${NBSP4}(Policy)`,
  '  1. An organization shall prepare a policy covering:',
  '    1. defining what may be used;',
  '    2. defining who may speak.',
  '  2. The policy should be reviewed.',
  `Article 3${NBSP4}(Lead-in and paragraphs)`,
  `${NBSP4}Measures should satisfy the following requirements:`,
  '  1. Confidentiality:Information should be encrypted.',
].join('\n');

describe('parseSourceText', () => {
  it('reads the header, chapters, articles, lead-in text, paragraphs and items', () => {
    const document = parseSourceText(sample);
    expect(document.title).toBe('Directions on Something\u00a0 CH'.trim());
    expect(document.announcedDate).toBe('2022.05.11');
    expect(document.category).toBe('Information Operations');
    expect(document.chapters.map((chapter) => [chapter.number, chapter.roman, chapter.title])).toEqual([
      [1, 'I', 'General Rules'],
      [2, 'II', 'Second Chapter'],
    ]);
    const [article2, article3] = document.chapters[1]?.articles ?? [];
    expect(article2?.text).toBe('');
    expect(article2?.paragraphs.map((paragraph) => paragraph.items.length)).toEqual([2, 0]);
    expect(article3?.text).toBe('Measures should satisfy the following requirements:');
  });

  it('keeps node text exactly but drops indentation, the "N. " prefix and trailing whitespace', () => {
    const texts = Object.fromEntries(sourceNodes(parseSourceText(sample)).map((node) => [node.id, node.text]));
    expect(texts).toEqual({
      A1: 'These directions are established.',
      A2: '',
      'A2.1': 'An organization shall prepare a policy covering:',
      'A2.1.1': 'defining what may be used;',
      'A2.1.2': 'defining who may speak.',
      'A2.2': 'The policy should be reviewed.',
      A3: 'Measures should satisfy the following requirements:',
      'A3.1': 'Confidentiality:Information should be encrypted.',
    });
  });

  it('flattens into catalog ids with parents, numbers, chapter and article title', () => {
    const item = sourceNodes(parseSourceText(sample)).find((node) => node.id === 'A2.1.2');
    expect(item).toEqual({
      id: 'A2.1.2',
      parentId: 'A2.1',
      article: 2,
      paragraph: 1,
      item: 2,
      chapter: { number: 2, roman: 'II', title: 'Second Chapter' },
      title: 'Policy',
      text: 'defining who may speak.',
    });
  });

  it('rejects a paragraph out of sequence, naming the line', () => {
    const broken = sample.replace('  2. The policy', '  3. The policy');
    expect(() => parseSourceText(broken)).toThrow(SourceTextParseError);
    expect(() => parseSourceText(broken)).toThrow(/line 15: paragraph 3 is out of sequence in article 2/);
  });

  it('rejects an article number that skips one', () => {
    expect(() => parseSourceText(sample.replace('Article 3', 'Article 4'))).toThrow(/article 4 follows article 2/);
  });

  it('rejects an item before any paragraph and a line it does not understand', () => {
    const itemFirst = sample.replace('  1. An organization shall', '    1. An organization shall');
    expect(() => parseSourceText(itemFirst)).toThrow(/item outside a paragraph/);
    expect(() => parseSourceText(`${sample}\nstray text`)).toThrow(/unrecognised line/);
  });

  it('rejects unnumbered text after the paragraphs of an article (it would have no id)', () => {
    expect(() => parseSourceText(`${sample}\n${NBSP4}Trailing remark.`)).toThrow(/unexpected unnumbered text/);
  });

  it('converts roman chapter numerals', () => {
    expect(['I', 'II', 'IV', 'V', 'VI', 'VII', 'IX', 'XIV'].map(romanToNumber)).toEqual([1, 2, 4, 5, 6, 7, 9, 14]);
  });
});
