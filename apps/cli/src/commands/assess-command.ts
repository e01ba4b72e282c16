import { Command } from 'commander';
import type { CliContext } from '../cli-io.ts';
import { cliActor } from './org-command.ts';

const mark: Record<string, string> = {
  pass: 'PASS ',
  fail: 'FAIL ',
  'needs-evidence': 'NEEDS',
  'not-applicable': 'n/a  ',
  error: 'ERROR',
};

export function assessCommand(ctx: CliContext): Command {
  return new Command('assess')
    .description('evaluate every applicable requirement now and print each node with its reason, and the findings')
    .option('--org <org>', 'organization id or slug (default: the only one)')
    .option('--json', 'print JSON: nodes and findings (requirementId, recordType, recordId, status, reason, dueDate)')
    .action(async (opts: { org?: string; json?: boolean }) => {
      const { services } = await ctx.runtime();
      let ref = opts.org;
      if (ref === undefined) {
        const orgs = await services.organizations.list();
        if (orgs.length !== 1) {
          throw new CliUsageError(
            `There are ${orgs.length} organizations: name one with --org (ntg org list shows them).`,
          );
        }
        ref = orgs[0]?.id ?? '';
      }
      const org = await services.organizations.get(ref);
      const run = await services.evaluation.run(cliActor(), org.id, 'manual');
      const { findings } = await services.findings.page(org.id, {
        status: ['open', 'accepted', 'fixed'],
        offset: 0,
        limit: 10_000,
      });
      const results = await services.stores.evaluations.results(org.id, {});
      if (opts.json) {
        ctx.printJson({
          organization: { id: org.id, slug: org.slug, name: org.name, demo: org.demo },
          run: {
            id: run.id,
            startedAt: run.startedAt,
            score: run.score,
            scores: run.summary.scores,
            chapters: run.summary.chapters,
          },
          nodes: run.summary.nodes,
          results,
          findings: findings.map((f) => ({
            id: f.id,
            requirementId: f.requirementId,
            recordType: f.recordType,
            recordId: f.recordId,
            status: f.status,
            severity: f.severity,
            reason: f.reason,
            dueDate: f.dueDate,
          })),
        });
        return;
      }
      const lines = run.summary.nodes.map((n) => `${mark[n.status] ?? n.status} ${n.nodeId.padEnd(8)} ${n.reason}`);
      const chapters = run.summary.chapters
        .map(
          (c) =>
            `  ${String(c.chapter).padEnd(2)} ${c.title}: ${c.counts.pass} pass, ${c.counts.fail} fail, ${c.counts['needs-evidence']} need evidence, ${c.counts['not-applicable']} n/a${c.score === null ? '' : ` (score ${c.score})`}`,
        )
        .join('\n');
      const open = findings.map(
        (f) => `  [${f.severity}] ${f.requirementId.padEnd(8)} ${f.status.padEnd(8)} due ${f.dueDate}  ${f.reason}`,
      );
      ctx.print(
        `${org.name}${org.demo ? ' [DEMO DATA]' : ''}: score ${run.score} (shall ${run.summary.scores.shall ?? '-'}, advised ${run.summary.scores.advised ?? '-'})\n` +
          `${chapters}\n\n${lines.join('\n')}\n\nFindings (${findings.length}):\n${open.join('\n')}\n`,
      );
    });
}

/** A usage problem found after argument parsing: reported in one line with exit status 2. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}
