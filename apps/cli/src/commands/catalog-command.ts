import type { CatalogNode } from '@ntg/contracts';
import { Command } from 'commander';
import type { CliContext } from '../cli-io.ts';
import { integerOption } from '../options.ts';

function oneLine(node: CatalogNode): string {
  const modal = node.obligation ?? '-';
  const cadence = node.cadence ? ` [${node.cadence}]` : '';
  const text = node.text === '' ? `(${node.title})` : node.text;
  const short = text.length > 100 ? `${text.slice(0, 97)}...` : text;
  return `${node.id.padEnd(9)} ${node.kind.padEnd(11)} ${modal.padEnd(7)}${cadence} ${short}`;
}

function details(node: CatalogNode): string {
  const lines = [
    `${node.id}  ${node.title}`,
    `Chapter ${node.chapter.roman}: ${node.chapter.title}`,
    `Kind: ${node.kind}    Obligation: ${node.obligation ?? 'none'}    Actor: ${node.actor ?? '-'}    Cadence: ${node.cadence ?? '-'}`,
  ];
  if (node.parameters.length > 0) {
    lines.push(
      `Parameters: ${node.parameters.map((p) => `${p.name}=${p.value}${p.unit ? ` ${p.unit}` : ''}`).join(', ')}`,
    );
  }
  if (node.statements.length > 1) {
    lines.push('Statements:', ...node.statements.map((s) => `  [${s.obligation}] ${s.text}`));
  }
  lines.push(
    `Applies: ${JSON.stringify(node.applicability)}`,
    `Evidence: ${node.evidence.join(', ') || '-'}`,
    '',
    node.text,
  );
  return `${lines.join('\n')}\n`;
}

export function catalogCommand(ctx: CliContext): Command {
  const cmd = new Command('catalog').description('the directions as a versioned catalog');

  cmd
    .command('list')
    .description('list the nodes of the catalog')
    .option('--chapter <n>', 'only chapter N (1-7)', integerOption('--chapter', 1, 7))
    .option('--article <n>', 'only article N', integerOption('--article', 1, 99))
    .option('--catalog-version <date>', 'catalog version (default: the latest)')
    .option('--json', 'print JSON')
    .action((opts: { chapter?: number; article?: number; catalogVersion?: string; json?: boolean }) => {
      const { catalog, nodes } = ctx.catalog().list({
        chapter: opts.chapter,
        article: opts.article,
        version: opts.catalogVersion,
      });
      if (opts.json) ctx.printJson({ version: catalog.version, nodes });
      else ctx.print(`${nodes.map(oneLine).join('\n')}\n${nodes.length} nodes, directions of ${catalog.version}\n`);
    });

  cmd
    .command('show')
    .description('show one article, paragraph or item, e.g. A37.5')
    .argument('<id>', 'node id')
    .option('--catalog-version <date>', 'catalog version (default: the latest)')
    .option('--json', 'print JSON')
    .action((id: string, opts: { catalogVersion?: string; json?: boolean }) => {
      const node = ctx.catalog().node(id, opts.catalogVersion);
      if (opts.json) ctx.printJson(node);
      else ctx.print(details(node));
    });

  cmd
    .command('versions')
    .description('list the catalog versions and languages held')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const versions = ctx.catalog().versions();
      if (opts.json) ctx.printJson({ versions });
      else ctx.print(`${versions.map((v) => `${v.version} ${v.language}`).join('\n')}\n`);
    });

  cmd
    .command('diff')
    .description('nodes added, removed and changed between two versions')
    .argument('<old>', 'older version, e.g. 2022-05-11')
    .argument('<new>', 'newer version')
    .option('--json', 'print JSON')
    .action((from: string, to: string, opts: { json?: boolean }) => {
      const diff = ctx.catalog().diff(from, to);
      if (opts.json) {
        ctx.printJson(diff);
        return;
      }
      const lines = [
        ...diff.added.map((id) => `+ ${id}`),
        ...diff.removed.map((id) => `- ${id}`),
        ...diff.changed.map((c) => `~ ${c.id} (${c.fields.join(', ')})`),
      ];
      ctx.print(
        `${lines.join('\n')}${lines.length ? '\n' : ''}${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed (${from} -> ${to})\n`,
      );
    });

  return cmd;
}
