import type { CatalogNode } from '@ntg/contracts';
import { describe, expect, it } from 'vitest';
import { listCatalogVersions, loadCatalog } from './catalog-loader.ts';
import { compareObligations, obligationMarkersIn, strongestObligation } from './obligations.ts';

describe('obligation helpers', () => {
  it('ranks shall over should over advised, and any obligation over none', () => {
    expect(strongestObligation(['advised', 'shall', 'should'])).toBe('shall');
    expect(strongestObligation(['advised', null, 'should'])).toBe('should');
    expect(strongestObligation([])).toBeNull();
    expect(compareObligations('should', 'advised')).toBeGreaterThan(0);
    expect(compareObligations(null, 'advised')).toBeLessThan(0);
  });

  it('finds modal markers even where the source glues words ("andshall", "shallexamine")', () => {
    expect(obligationMarkersIn('take measures, andshall establish')).toEqual(['shall']);
    expect(obligationMarkersIn('It is preferable to purchase')).toEqual(['advised']);
    expect(obligationMarkersIn('A provider is responsible to monitor risks')).toEqual(['shall']);
    expect(obligationMarkersIn('a report may be requested')).toEqual([]);
    expect(obligationMarkersIn('shall evaluate ..., and it is advised to specify')).toEqual(['shall', 'advised']);
  });
});

// The rules are those written in obligations.ts. They read English modal verbs, so they run on English catalogs.
const englishCatalogs = listCatalogVersions().filter((ref) => ref.language === 'en');

describe.each(englishCatalogs)('obligations of catalog $version/$language', ({ version, language }) => {
  const catalog = loadCatalog(version, language);
  const nodes = catalog.nodes;
  const parentOf = (node: CatalogNode): CatalogNode | undefined =>
    node.parentId === null ? undefined : catalog.get(node.parentId);

  it('gives every node the strongest obligation among its statements (shall > should > advised)', () => {
    const wrong = nodes
      .filter((node) => node.statements.length > 0)
      .filter((node) => node.obligation !== strongestObligation(node.statements.map((s) => s.obligation)))
      .map((node) => node.id);
    expect(wrong).toEqual([]);
  });

  it('makes every statement an exact substring of its node text', () => {
    const wrong = nodes.flatMap((node) =>
      node.statements.filter((statement) => !node.text.includes(statement.text)).map(() => node.id),
    );
    expect(wrong).toEqual([]);
  });

  it('gives a node with one kind of modal verb one statement: its whole text with that obligation', () => {
    const wrong = nodes
      .filter((node) => obligationMarkersIn(node.text).length === 1)
      .filter((node) => {
        const [only] = obligationMarkersIn(node.text);
        return !(node.statements.length === 1 && node.statements[0]?.text === node.text && node.obligation === only);
      })
      .map((node) => node.id);
    expect(wrong).toEqual([]);
  });

  it('explains a node that mixes modal verbs with statements covering each modal, none containing another one', () => {
    const wrong = nodes
      .filter((node) => obligationMarkersIn(node.text).length > 1)
      .filter((node) => {
        const markers = obligationMarkersIn(node.text);
        const stated = [...new Set(node.statements.map((s) => s.obligation))];
        const covers = markers.length === stated.length && markers.every((marker) => stated.includes(marker));
        // A statement may lack its marker when it continues the previous clause's verb ("and evaluate", A23),
        // but it must never contain the marker of a different obligation.
        const clean = node.statements.every((s) =>
          obligationMarkersIn(s.text).every((marker) => marker === s.obligation),
        );
        return !(covers && clean && node.statements.length >= 2);
      })
      .map((node) => node.id);
    expect(wrong).toEqual([]);
  });

  it('gives a node without a modal verb no statements, and an obligation only when it inherits one', () => {
    const wrong = nodes
      .filter((node) => obligationMarkersIn(node.text).length === 0)
      .filter((node) => {
        if (node.statements.length > 0) {
          return true;
        }
        const parent = parentOf(node);
        if (node.text === '') {
          // An article heading without text: the strongest obligation of its paragraphs.
          return node.obligation !== strongestObligation(catalog.children(node.id).map((child) => child.obligation));
        }
        if (parent?.text.endsWith(':')) {
          // An item of a list introduced by its parent ("covering:", "the following three technologies:").
          return node.obligation !== parent.obligation;
        }
        return node.obligation !== null;
      })
      .map((node) => node.id);
    expect(wrong).toEqual([]);
  });

  it('gives every requirement an obligation, and purpose and definitions none', () => {
    expect(nodes.filter((node) => node.kind === 'requirement' && node.obligation === null).map((n) => n.id)).toEqual(
      [],
    );
    expect(
      nodes
        .filter((node) => (node.kind === 'purpose' || node.kind === 'definition') && node.obligation !== null)
        .map((n) => n.id),
    ).toEqual([]);
  });

  it('keeps "should" as written rather than reading it as shall (A3.1, A13.2, A35 lead-in)', () => {
    expect(catalog.get('A13.2')?.obligation).toBe('should');
    expect(catalog.get('A35')?.obligation).toBe('should');
    expect(catalog.get('A3.1')?.statements.map((s) => s.obligation)).toEqual(['shall', 'should']);
  });
});
