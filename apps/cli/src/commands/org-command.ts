import { hostname, userInfo } from 'node:os';
import { type Organization, profileFlagSchema, profileQuestions } from '@ntg/contracts';
import { type ActorContext, applicabilityOf } from '@ntg/core';
import { Command } from 'commander';
import type { CliContext } from '../cli-io.ts';
import { collectAssignments } from '../options.ts';

export function cliActor(): ActorContext {
  return { actor: { type: 'cli', id: userInfo().username }, source: `cli@${hostname()}` };
}

function profileTable(org: Organization): string {
  const lines = profileFlagSchema.options.map((flag) => {
    const q = profileQuestions[flag];
    return `  ${org.profile[flag] ? 'yes' : 'no '}  ${flag.padEnd(38)} ${q.article.padEnd(6)} ${q.question}`;
  });
  const demo = org.demo ? '  [DEMO DATA]' : '';
  return `${org.name} (${org.slug}, ${org.id})${demo}\n${lines.join('\n')}\n`;
}

export function orgCommand(ctx: CliContext): Command {
  const cmd = new Command('org').description('organizations and their scope profiles');

  cmd
    .command('create')
    .description('create an organization')
    .requiredOption('--slug <slug>', 'short name, e.g. alpha-securities')
    .requiredOption('--name <name>', 'legal name')
    .option('--kind <kind>', 'securities | futures | investment-trust | other', 'securities')
    .option('--set <question=bool>', 'answer a scope question (repeatable)', collectAssignments, {})
    .option('--json', 'print JSON')
    .action(
      async (opts: { slug: string; name: string; kind: string; set: Record<string, boolean>; json?: boolean }) => {
        const { services } = await ctx.runtime();
        const org = await services.organizations.create(cliActor(), {
          slug: opts.slug,
          name: opts.name,
          kind: opts.kind as Organization['kind'],
          profile: opts.set,
        });
        if (opts.json) ctx.printJson(org);
        else ctx.print(`created ${org.slug} (${org.id})\n`);
      },
    );

  cmd
    .command('list')
    .description('list organizations')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { services } = await ctx.runtime();
      const orgs = await services.organizations.list();
      if (opts.json) ctx.printJson({ organizations: orgs });
      else
        ctx.print(
          `${orgs.map((o) => `${o.id}  ${o.slug.padEnd(24)} ${o.name}${o.demo ? '  [DEMO DATA]' : ''}`).join('\n')}\n`,
        );
    });

  cmd
    .command('profile')
    .description('show the scope profile, or change answers with --set')
    .argument('<org>', 'organization id or slug')
    .option('--set <question=bool>', 'answer a scope question (repeatable)', collectAssignments, {})
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { set: Record<string, boolean>; json?: boolean }) => {
      const { services } = await ctx.runtime();
      const org =
        Object.keys(opts.set).length === 0
          ? await services.organizations.get(ref)
          : await services.organizations.updateProfile(cliActor(), ref, opts.set);
      if (opts.json) ctx.printJson(org);
      else ctx.print(profileTable(org));
    });

  cmd
    .command('applicability')
    .description('which catalog nodes apply to the organization, and why')
    .argument('<org>', 'organization id or slug')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const { services } = await ctx.runtime();
      const org = await services.organizations.get(ref);
      const catalog = services.catalog.catalog();
      const results = applicabilityOf(catalog, org.profile);
      if (opts.json) {
        ctx.printJson({ version: catalog.version, results });
        return;
      }
      const applicable = results.filter((r) => r.applicable).length;
      ctx.print(
        `${results.map((r) => `${r.nodeId.padEnd(9)} ${r.applicable ? 'applies ' : 'n/a     '} ${r.reason}`).join('\n')}\n` +
          `${applicable} of ${results.length} nodes apply to ${org.slug}\n`,
      );
    });

  return cmd;
}
