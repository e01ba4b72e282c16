import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  contentTypeOfFilename,
  type Evidence,
  evidenceLinkRefSchema,
  formatEvidenceLinkRef,
  isoDate,
} from '@ntg/contracts';
import { AppError, parseInput } from '@ntg/core';
import { Command } from 'commander';
import { type CliContext, exitStatus } from '../cli-io.ts';
import { cliActor } from './org-command.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * The services this command uses. `evidence` is typed optional so the command compiles before and after the
 * runtime wires Services.evidence; once wired it is always present.
 */
async function servicesOf(ctx: CliContext) {
  return (await ctx.runtime()).services;
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function line(e: Evidence): string {
  const dates = `${e.effectiveDate ?? '-'}..${e.expiresOn ?? '-'}`;
  const links = e.links.length === 0 ? '' : `  -> ${e.links.map(formatEvidenceLinkRef).join(', ')}`;
  return `${e.id}  ${e.sha256.slice(0, 12)}  ${sizeText(e.size).padStart(9)}  ${dates.padEnd(22)} ${e.filename}${links}`;
}

export function evidenceCommand(ctx: CliContext, setExit: (code: number) => void): Command {
  const cmd = new Command('evidence').description('evidence files: stored by SHA-256, linked to nodes and records');

  cmd
    .command('add')
    .description('upload a file as evidence (PDF, PNG, JPEG, ZIP, DOCX, XLSX, PPTX, UTF-8 text, CSV, JSON, XML)')
    .argument('<file>', 'the file to store')
    .requiredOption('--org <org>', 'organization id or slug')
    .option(
      '--link <target>',
      'link to node:A12.1 or REGISTER:RECORD-ID, e.g. mobile-devices:dev_… (repeatable)',
      collect,
      [],
    )
    .option('--effective <date>', 'date the evidence takes effect, YYYY-MM-DD')
    .option('--expires <date>', 'last date the evidence counts, YYYY-MM-DD')
    .option('--description <text>', 'what the file shows')
    .option('--collected-by <name>', 'who collected it (default: you)')
    .option('--type <content-type>', 'the file type (default: from the file name extension)')
    .option('--json', 'print JSON')
    .action(
      async (
        file: string,
        opts: {
          org: string;
          link: string[];
          effective?: string;
          expires?: string;
          description?: string;
          collectedBy?: string;
          type?: string;
          json?: boolean;
        },
      ) => {
        const filename = basename(file);
        const contentType = opts.type ?? contentTypeOfFilename(filename);
        if (contentType === null) {
          throw new AppError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Cannot tell the type of "${filename}" from its name; give --type.`,
          );
        }
        const links = opts.link.map((ref) => parseInput(evidenceLinkRefSchema, ref, '--link'));
        // The service checks the dates too; checking here names the option in the message.
        const effectiveDate =
          opts.effective === undefined ? undefined : parseInput(isoDate, opts.effective, '--effective');
        const expiresOn = opts.expires === undefined ? undefined : parseInput(isoDate, opts.expires, '--expires');
        const { organizations, evidence } = await servicesOf(ctx);
        const org = await organizations.get(opts.org);
        // Checked before reading, so a huge file is refused without being loaded into memory.
        const size = await stat(file).then(
          (s) => s.size,
          (error: NodeJS.ErrnoException) => {
            throw new AppError('VALIDATION_FAILED', `Cannot read ${file}: ${error.code ?? error.message}.`);
          },
        );
        if (size > evidence.maxBytes) {
          throw new AppError(
            'PAYLOAD_TOO_LARGE',
            `${file} is ${sizeText(size)}; evidence files may be at most ${sizeText(evidence.maxBytes)}.`,
          );
        }
        const stored = await evidence.upload(cliActor(), org.id, {
          filename,
          contentType,
          bytes: await readFile(file),
          links,
          effectiveDate,
          expiresOn,
          description: opts.description,
          collectedBy: opts.collectedBy,
        });
        if (opts.json) ctx.printJson(stored);
        else ctx.print(`added ${stored.id}  sha256 ${stored.sha256}  ${sizeText(stored.size)}  ${stored.filename}\n`);
      },
    );

  cmd
    .command('list')
    .description('list the evidence of an organization, newest first')
    .requiredOption('--org <org>', 'organization id or slug')
    .option('--target <target>', 'only evidence linked to node:A12.1 or REGISTER:RECORD-ID')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; target?: string; json?: boolean }) => {
      const target = opts.target === undefined ? undefined : parseInput(evidenceLinkRefSchema, opts.target, '--target');
      const { organizations, evidence } = await servicesOf(ctx);
      const org = await organizations.get(opts.org);
      const list = await evidence.list(org.id, target === undefined ? {} : { target });
      if (opts.json) ctx.printJson({ evidence: list });
      else if (list.length === 0) ctx.print(`no evidence for ${org.slug}\n`);
      else ctx.print(`${list.map(line).join('\n')}\n${list.length} file(s) for ${org.slug}\n`);
    });

  cmd
    .command('verify')
    .description('re-hash every stored file of an organization and name those altered or missing (exit 1)')
    .requiredOption('--org <org>', 'organization id or slug')
    .option('--json', 'print JSON')
    .action(async (opts: { org: string; json?: boolean }) => {
      const { organizations, evidence } = await servicesOf(ctx);
      const org = await organizations.get(opts.org);
      const result = await evidence.verify(org.id);
      if (opts.json) ctx.printJson({ ...result, slug: org.slug });
      else {
        for (const f of result.failures) {
          ctx.print(
            `${f.problem === 'altered' ? 'ALTERED' : 'MISSING'}  ${f.sha256}  ${f.filenames.join(', ')} (${f.evidenceIds.join(', ')})\n`,
          );
        }
        ctx.print(
          result.ok
            ? `ok      ${org.slug}: ${result.blobs} file(s) of ${result.evidence} evidence record(s) match their SHA-256\n`
            : `FAILED  ${org.slug}: ${result.failures.length} of ${result.blobs} file(s) altered or missing\n`,
        );
      }
      if (!result.ok) setExit(exitStatus.problemFound);
    });

  return cmd;
}
