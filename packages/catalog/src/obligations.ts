import type { Obligation } from '@ntg/contracts';

/**
 * How the catalog reads obligations from the English text, written down once so that the data and its tests agree.
 *
 * 1. The obligation is the English modal verb as written, not what the Traditional Chinese original means: the
 *    translation renders 應 both as "shall" and as "should" (e.g. A3.1 "should be complied with"). A later
 *    version (or the zh-TW file) may say otherwise; the catalog of this version keeps the English reading.
 * 2. Markers (matched without word boundaries, because the source glues words: "andshall" A6.1, "shallmaintain"
 *    A6.2, "shallexamine" A20.1):
 *      shall   - "shall"; also "is responsible to" (A6.3), the only duty in the text phrased without a modal verb.
 *      should  - "should".
 *      advised - "advised", "advisable", "preferable" (A5.2, A17.4, A27).
 *    "may" is permissive ("an attestation report may be requested", A4.4) and is not an obligation.
 * 3. Statements: when a node mixes markers (A4.2 "shall evaluate ... and it is advised to specify"), it gets one
 *    statement per maximal run of clauses with the same marker, each statement an exact substring of the node
 *    text and free of the other markers. A clause whose verb is carried over from the previous one ("and evaluate
 *    ...", A23) belongs to that verb's obligation. A node with one kind of marker has one statement: its whole
 *    text. A node without markers has none.
 * 4. Strongest first: the node's obligation is the strongest among its statements, shall > should > advised, so
 *    a filter on "shall" never hides a node that contains a binding clause.
 * 5. Nodes without a marker of their own:
 *      - items of a list whose lead-in ends with ":" carry the lead-in's obligation (A12.1.1-4 are what the
 *        policy that A12.1 "shall" prepare must cover; A36.1.1 is one of the technologies A36.1 "should" use);
 *      - an article heading with no text (A4, A17, ...) carries the strongest obligation of its paragraphs, so
 *        that an article-level view is never weaker than its content;
 *      - everything else (purpose, definitions, scope) has none.
 */

const RANK: Record<Obligation, number> = { shall: 3, should: 2, advised: 1 };

const MARKERS: Record<Obligation, RegExp> = {
  shall: /shall|is responsible to/i,
  should: /should/i,
  advised: /advised|advisable|preferable/i,
};

export const obligationsByStrength: readonly Obligation[] = Object.freeze(['shall', 'should', 'advised']);

/** The obligations whose markers occur in the text, strongest first. */
export function obligationMarkersIn(text: string): Obligation[] {
  return obligationsByStrength.filter((obligation) => MARKERS[obligation].test(text));
}

/** The strongest of the given obligations (shall > should > advised), or null for none. */
export function strongestObligation(obligations: Iterable<Obligation | null>): Obligation | null {
  let strongest: Obligation | null = null;
  for (const obligation of obligations) {
    if (obligation !== null && (strongest === null || RANK[obligation] > RANK[strongest])) {
      strongest = obligation;
    }
  }
  return strongest;
}

/** Positive when `a` binds more strongly than `b`; null (no obligation) is weakest. */
export function compareObligations(a: Obligation | null, b: Obligation | null): number {
  return (a === null ? 0 : RANK[a]) - (b === null ? 0 : RANK[b]);
}
