import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256HexSchema } from '@ntg/contracts';
import type { EvidenceBlobStore } from '@ntg/core';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The key names a file on disk: anything but 64 hex digits (a path, `..`) is a programming error, never a path. */
function checkedKey(sha256: string): string {
  if (!sha256HexSchema.safeParse(sha256).success) throw new TypeError(`not a SHA-256 hex digest: ${sha256}`);
  return sha256;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * Evidence bytes as files under `dir`, one per digest at `dir/ab/cdef…` (the first two hex digits name a folder,
 * so no folder holds more than 1/256 of the files). This is the embedded (SQLite) default: the data folder is the
 * product's disk. A file is written to a temporary name in the same folder, flushed to disk, then renamed over
 * the final name: rename within a folder is atomic, so a crash leaves the blob whole or absent, never partial.
 */
export function createFileBlobStore(dir: string): EvidenceBlobStore {
  const pathOf = (sha256: string) => {
    const key = checkedKey(sha256);
    return { folder: join(dir, key.slice(0, 2)), file: join(dir, key.slice(0, 2), key.slice(2)) };
  };

  async function readOrNull(file: string): Promise<Buffer | null> {
    try {
      return await readFile(file);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  return {
    async put(sha256, bytes) {
      const { folder, file } = pathOf(sha256);
      // Already stored and intact: nothing to do. A stored file that no longer matches its digest is replaced,
      // so uploading the original again repairs it.
      const existing = await readOrNull(file);
      if (existing !== null && createHash('sha256').update(existing).digest('hex') === sha256) return;
      await mkdir(folder, { recursive: true, mode: 0o700 });
      const temp = join(folder, `.${sha256.slice(2)}.${randomBytes(8).toString('hex')}.tmp`);
      try {
        const handle = await open(temp, 'wx', 0o600);
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      // The rename itself is durable only once the folder's entry is flushed too.
      const folderHandle = await open(folder, 'r');
      try {
        await folderHandle.sync();
      } finally {
        await folderHandle.close();
      }
    },

    async get(sha256) {
      return readOrNull(pathOf(sha256).file);
    },

    async has(sha256) {
      try {
        return (await stat(pathOf(sha256).file)).isFile();
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
  };
}

/**
 * Evidence bytes in the evidence_blobs table: for PostgreSQL, where several instances share no disk. Inserting a
 * digest that is already stored does nothing, so concurrent uploads of the same file do not conflict.
 */
export function createDatabaseBlobStore(db: Kysely<Database>): EvidenceBlobStore {
  return {
    async put(sha256, bytes) {
      await db
        .insertInto('evidence_blobs')
        .values({
          sha256: checkedKey(sha256),
          size: bytes.byteLength,
          content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        })
        .onConflict((oc) => oc.column('sha256').doNothing())
        .execute();
    },

    async get(sha256) {
      const row = await db
        .selectFrom('evidence_blobs')
        .select('content')
        .where('sha256', '=', checkedKey(sha256))
        .executeTakeFirst();
      return row === undefined ? null : row.content;
    },

    async has(sha256) {
      const row = await db
        .selectFrom('evidence_blobs')
        .select('sha256')
        .where('sha256', '=', checkedKey(sha256))
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
