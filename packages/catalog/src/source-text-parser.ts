/**
 * Parser for the plain-text rendering of the directions as captured from the TWSE regulation site
 * (see /work/shared/regulation/README.md). The same layout is used for every version of the page, so the parser
 * is written for the layout, not for the 2022-05-11 text: an amended version dropped into `data/<version>/`
 * can be checked against its catalog with the same code.
 *
 * Layout, one element per line:
 *   Title: / <title> / Announced Date: 2022.05.11 / Categories: ...   header
 *   `   Chapter IV – Security Control ...`                             chapter heading (dash spacing varies)
 *   `Article 17<NBSP x4>(Control and management ...)`                  article heading, title in parentheses
 *   `<NBSP x4>For purposes of these directions, ...`                   article lead-in text (no number)
 *   `  1. An organization shall ...`                                   paragraph (two spaces, number)
 *   `    1. It is advisable ...`                                       item of the preceding paragraph (four)
 *
 * Node text keeps the source exactly (typos such as "andshall" included, A6.1); only the indentation, the
 * `N. ` numbering prefix and trailing whitespace are removed.
 */

export interface SourceItem {
  number: number;
  text: string;
  /** 1-based line in the source text, for error messages. */
  line: number;
}

export interface SourceParagraph {
  number: number;
  text: string;
  line: number;
  items: SourceItem[];
}

export interface SourceArticle {
  number: number;
  title: string;
  /** Lead-in text (A1, A8, A35, ...); empty when the article only has numbered paragraphs. */
  text: string;
  line: number;
  paragraphs: SourceParagraph[];
}

export interface SourceChapter {
  number: number;
  roman: string;
  title: string;
  line: number;
  articles: SourceArticle[];
}

export interface SourceDocument {
  /** The title line as captured (the site appends a language switch, e.g. "... Market  CH"). */
  title: string;
  /** As printed, e.g. "2022.05.11"; undefined when the header has no date. */
  announcedDate: string | undefined;
  category: string | undefined;
  chapters: SourceChapter[];
}

/** One article, paragraph or item flattened in document order, with the catalog id it must have. */
export interface SourceNode {
  id: string;
  parentId: string | null;
  article: number;
  paragraph: number | null;
  item: number | null;
  chapter: { number: number; roman: string; title: string };
  title: string;
  text: string;
}

export class SourceTextParseError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'SourceTextParseError';
    this.line = line;
  }
}

// The page indents with regular spaces for numbered lines and with no-break spaces (U+00A0) for lead-in text and
// inside article headings; both count as indentation.
const INDENT = '[ \\u00a0]';
const CHAPTER_LINE = new RegExp(`^${INDENT}*Chapter ([IVXLC]+)${INDENT}*[\\u2013\\u2014-]${INDENT}*(\\S.*)$`);
const ARTICLE_LINE = new RegExp(`^Article (\\d+)${INDENT}+\\((.+)\\)$`);
const PARAGRAPH_LINE = new RegExp(`^${INDENT}{2}(\\d+)\\. (\\S.*)$`);
const ITEM_LINE = new RegExp(`^${INDENT}{4}(\\d+)\\. (\\S.*)$`);
const LEAD_IN_LINE = new RegExp(`^${INDENT}{4}(\\S.*)$`);

const ROMAN_VALUES: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100 };

/** Converts I..CXC style numerals; chapter numbers are small, so subtractive notation is all that is needed. */
export function romanToNumber(roman: string): number {
  let total = 0;
  for (let i = 0; i < roman.length; i += 1) {
    const value = ROMAN_VALUES[roman.charAt(i)];
    const next = ROMAN_VALUES[roman.charAt(i + 1)] ?? 0;
    if (value === undefined) {
      throw new Error(`not a roman numeral: ${roman}`);
    }
    total += value < next ? -value : value;
  }
  return total;
}

export function parseSourceText(source: string): SourceDocument {
  const lines = source.split(/\r?\n/).map((line) => line.trimEnd());
  const document: SourceDocument = { title: '', announcedDate: undefined, category: undefined, chapters: [] };
  let chapter: SourceChapter | undefined;
  let article: SourceArticle | undefined;
  let paragraph: SourceParagraph | undefined;
  let expectTitle = false;
  let lastArticleNumber = 0;

  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') {
      return;
    }

    const chapterMatch = CHAPTER_LINE.exec(line);
    if (chapterMatch) {
      const roman = chapterMatch[1] ?? '';
      const number = romanToNumber(roman);
      if (number !== document.chapters.length + 1) {
        throw new SourceTextParseError(lineNumber, `chapter ${roman} is out of sequence`);
      }
      chapter = { number, roman, title: (chapterMatch[2] ?? '').trim(), line: lineNumber, articles: [] };
      document.chapters.push(chapter);
      article = undefined;
      paragraph = undefined;
      return;
    }

    if (!chapter) {
      parseHeaderLine(document, line, lineNumber, expectTitle);
      expectTitle = line === 'Title:';
      return;
    }

    const articleMatch = ARTICLE_LINE.exec(line);
    if (articleMatch) {
      const number = Number(articleMatch[1]);
      // Article numbers run through the whole text (they do not restart per chapter) and amendments keep them.
      if (number !== lastArticleNumber + 1) {
        throw new SourceTextParseError(lineNumber, `article ${number} follows article ${lastArticleNumber}`);
      }
      lastArticleNumber = number;
      article = { number, title: (articleMatch[2] ?? '').trim(), text: '', line: lineNumber, paragraphs: [] };
      chapter.articles.push(article);
      paragraph = undefined;
      return;
    }

    if (!article) {
      throw new SourceTextParseError(lineNumber, 'text before the first article of the chapter');
    }

    const itemMatch = ITEM_LINE.exec(line);
    if (itemMatch) {
      if (!paragraph) {
        throw new SourceTextParseError(lineNumber, `item outside a paragraph in article ${article.number}`);
      }
      const number = Number(itemMatch[1]);
      if (number !== paragraph.items.length + 1) {
        throw new SourceTextParseError(
          lineNumber,
          `item ${number} is out of sequence in A${article.number}.${paragraph.number}`,
        );
      }
      paragraph.items.push({ number, text: itemMatch[2] ?? '', line: lineNumber });
      return;
    }

    const paragraphMatch = PARAGRAPH_LINE.exec(line);
    if (paragraphMatch) {
      const number = Number(paragraphMatch[1]);
      if (number !== article.paragraphs.length + 1) {
        throw new SourceTextParseError(
          lineNumber,
          `paragraph ${number} is out of sequence in article ${article.number}`,
        );
      }
      paragraph = { number, text: paragraphMatch[2] ?? '', line: lineNumber, items: [] };
      article.paragraphs.push(paragraph);
      return;
    }

    const leadInMatch = LEAD_IN_LINE.exec(line);
    if (leadInMatch) {
      // A lead-in introduces the paragraphs (A2, A35); one after them would have no place in the id scheme.
      if (article.paragraphs.length > 0 || article.text !== '') {
        throw new SourceTextParseError(lineNumber, `unexpected unnumbered text in article ${article.number}`);
      }
      article.text = leadInMatch[1] ?? '';
      return;
    }

    throw new SourceTextParseError(lineNumber, `unrecognised line: ${JSON.stringify(line.slice(0, 60))}`);
  });

  if (document.chapters.length === 0) {
    throw new SourceTextParseError(lines.length, 'no chapter found');
  }
  return document;
}

function parseHeaderLine(document: SourceDocument, line: string, lineNumber: number, expectTitle: boolean): void {
  if (line === 'Title:') {
    return;
  }
  if (expectTitle) {
    document.title = line.trim();
    return;
  }
  const announced = /^Announced Date:\s*(\S+)$/.exec(line);
  if (announced) {
    document.announcedDate = announced[1];
    return;
  }
  const category = /^Categories:\s*(.+)$/.exec(line);
  if (category) {
    document.category = category[1];
    return;
  }
  throw new SourceTextParseError(lineNumber, `unrecognised header line: ${JSON.stringify(line.slice(0, 60))}`);
}

/** Flattens the document into catalog-shaped nodes (article, then its paragraphs, then their items). */
export function sourceNodes(document: SourceDocument): SourceNode[] {
  const nodes: SourceNode[] = [];
  for (const chapter of document.chapters) {
    const chapterRef = { number: chapter.number, roman: chapter.roman, title: chapter.title };
    for (const article of chapter.articles) {
      const articleId = `A${article.number}`;
      const base = { article: article.number, chapter: chapterRef, title: article.title };
      nodes.push({ ...base, id: articleId, parentId: null, paragraph: null, item: null, text: article.text });
      for (const paragraph of article.paragraphs) {
        const paragraphId = `${articleId}.${paragraph.number}`;
        nodes.push({
          ...base,
          id: paragraphId,
          parentId: articleId,
          paragraph: paragraph.number,
          item: null,
          text: paragraph.text,
        });
        for (const item of paragraph.items) {
          nodes.push({
            ...base,
            id: `${paragraphId}.${item.number}`,
            parentId: paragraphId,
            paragraph: paragraph.number,
            item: item.number,
            text: item.text,
          });
        }
      }
    }
  }
  return nodes;
}
