/**
 * Content-addressed storage of evidence bytes: the key is the SHA-256 (64 lower-case hex digits) of the bytes, so
 * the same file uploaded twice is stored once. `put` is idempotent, and a blob is either whole or absent: a crash
 * during `put` never leaves a partial file under its digest.
 */
export interface EvidenceBlobStore {
  put(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The stored bytes, or null when there are none. The caller re-hashes them: storage is not trusted. */
  get(sha256: string): Promise<Uint8Array | null>;
  has(sha256: string): Promise<boolean>;
}
