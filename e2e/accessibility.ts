import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
  /** What axe says of the first offending element (e.g. the two colours and their ratio). */
  detail: string;
}

/**
 * What axe-core finds against WCAG 2.x A and AA on the page as it stands (labels, names, contrast, landmarks,
 * keyboard focusability). Run through the debugging protocol, so the console's strict CSP is not loosened for it.
 */
export async function accessibilityViolations(page: Page): Promise<Violation[]> {
  const run = `${axeSource};
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((r) => r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
        detail: v.nodes[0] ? v.nodes[0].failureSummary + ' | ' + v.nodes[0].html.slice(0, 200) : '',
      })))`;
  return (await page.evaluate(run)) as Violation[];
}
