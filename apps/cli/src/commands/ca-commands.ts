import { readFile } from 'node:fs/promises';
import type { ApprovedCaView } from '@ntg/contracts';
import { AppError } from '@ntg/core';
import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from '../cli-io.ts';
import { cliActor } from './org-command.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function policyOption(value: string): 'fail-closed' | 'fail-open' {
  if (value !== 'fail-closed' && value !== 'fail-open') {
    throw new InvalidArgumentError('takes fail-closed (the default) or fail-open.');
  }
  return value;
}

function line(ca: ApprovedCaView): string {
  const removed = ca.removedAt === null ? '' : `  REMOVED ${ca.removedAt}`;
  return `${ca.id}  ${ca.fingerprint.slice(0, 16)}  until ${ca.notAfter.slice(0, 10)}  ${ca.unknownRevocation.padEnd(11)} ${ca.name} (${ca.subject})${removed}`;
}

/** `ntg ca add|list|remove`: the CAs whose certificates may sign orders (A36.5), every change audited. */
export function caCommand(ctx: CliContext): Command {
  const cmd = new Command('ca').description('approved certification authorities for signed orders (A36.5)');

  cmd
    .command('add')
    .description('approve a CA: its certificate file as PEM or base64 DER')
    .argument('<file>', 'the CA certificate')
    .requiredOption('--org <org>', 'organization id or slug')
    .requiredOption('--name <name>', 'a name people recognise, e.g. "TWCA Root"')
    .option('--crl <url>', 'a CRL location, http(s): URL or file: path (repeatable)', collect, [])
    .option('--ocsp <url>', 'the OCSP responder')
    .option(
      '--unknown-revocation <policy>',
      'when revocation cannot be checked: fail-closed or fail-open',
      policyOption,
    )
    .option('--json', 'print JSON')
    .action(
      async (
        file: string,
        opts: { org: string; name: string; crl: string[]; ocsp?: string; unknownRevocation?: string; json?: boolean },
      ) => {
        const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new AppError('VALIDATION_FAILED', `Cannot read ${file}: ${error.code ?? error.message}.`);
        });
        const runtime = await ctx.runtime();
        const org = await runtime.services.organizations.get(opts.org);
        // A DER file read as UTF-8 is not text: give it to the service as base64, which it accepts too.
        const certificate = text.includes('-----BEGIN') ? text : (await readFile(file)).toString('base64');
        const added = await runtime.orders.approvedCas.add(cliActor(), org.id, {
          name: opts.name,
          certificate,
          crlUrls: opts.crl,
          ...(opts.ocsp === undefined ? {} : { ocspUrl: opts.ocsp }),
          ...(opts.unknownRevocation === undefined
            ? {}
            : { unknownRevocation: opts.unknownRevocation as 'fail-closed' | 'fail-open' }),
        });
        if (opts.json) ctx.printJson(added);
        else ctx.print(`added ${line(added)}\n`);
      },
    );

  cmd
    .command('list')
    .description('list the approved CAs of an organization')
    .requiredOption('--org <org>', 'organization id or slug')
    .option('--all', 'include removed CAs')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; all?: boolean; json?: boolean }) => {
      const runtime = await ctx.runtime();
      const org = await runtime.services.organizations.get(opts.org);
      const approvedCas = await runtime.orders.approvedCas.list(org.id, { includeRemoved: opts.all === true });
      if (opts.json) ctx.printJson({ approvedCas });
      else if (approvedCas.length === 0) ctx.print(`No approved CAs for ${org.slug}; add one with \`ntg ca add\`.\n`);
      else for (const ca of approvedCas) ctx.print(`${line(ca)}\n`);
    });

  cmd
    .command('remove')
    .description('remove an approved CA; orders accepted under it stay verifiable')
    .argument('<id>', 'the approved CA id (aca_…)')
    .requiredOption('--org <org>', 'organization id or slug')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { org: string; json?: boolean }) => {
      const runtime = await ctx.runtime();
      const org = await runtime.services.organizations.get(opts.org);
      const removed = await runtime.orders.approvedCas.remove(cliActor(), org.id, id);
      if (opts.json) ctx.printJson(removed);
      else ctx.print(`removed ${line(removed)}\n`);
    });

  return cmd;
}
