/**
 * Splits rows for multi-row statements into chunks whose sizes are powers of two (at most `max`): a batch of any size
 * then uses at most log2(max) + 1 distinct statement texts, so SQLite's prepared-statement cache (keyed by the text,
 * sqlite-statement-cache.ts) keeps them instead of being flooded by one text per batch size.
 */
export function rowChunks<T>(rows: readonly T[], max = 128): T[][] {
  const chunks: T[][] = [];
  let i = 0;
  while (i < rows.length) {
    let size = max;
    while (size > rows.length - i) size >>= 1;
    chunks.push(rows.slice(i, i + size));
    i += size;
  }
  return chunks;
}
