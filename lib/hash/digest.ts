/**
 * Content digests: XXH3-128 as 32 lowercase hex chars, equal to `xxhsum -H2`.
 * Files are streamed in chunks, never loaded whole. Directory listings are digested
 * as their entries sorted by name in byte order, each as `name "/" type "\0"` (the type
 * as `find -printf %y` spells it: `find -type f` and the like depend on it).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { keyDigest } from "./key_digest.ts";
import { closeSync, openSync, readSync } from "node:fs";
import { type BytePath, fsPath } from "../path/byte_path.ts";
import { hashers } from "./hasher_pool.ts";
import { type DirEntry, readDirEntries } from "./_read_dir_entries.ts";

export type { DirEntry, EntryType } from "./_read_dir_entries.ts";
import { assertReachablePath } from "./path_guard.ts";

/** Read size for streaming digests. */
const CHUNK = 4 << 20;
/** Yield to the event loop after this many bytes of synchronous reading. */
const YIELD_EVERY = 64 << 20;

/** A digest and the number of bytes it covers. */
export interface FileDigest {
  /** XXH3-128, 32 lowercase hex chars. */
  readonly digest: string;
  /** Bytes actually read (may differ from an earlier stat if the file changed). */
  readonly size: number;
}

/** Options of {@link digestFile}. */
export interface DigestFileOptions {
  /** Aborts the digest between chunks (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/**
 * XXH3-128 of `bytes` as 32 hex chars.
 *
 * @example
 * ```ts
 * import { digestBytes } from "./digest.ts";
 * await digestBytes(new TextEncoder().encode("abc")); // "06b05ab6733a618578af5f94892f3950"
 * ```
 */
export async function digestBytes(bytes: Uint8Array): Promise<string> {
  const hasher = hashers.xxh128.tryAcquire() ?? await hashers.xxh128.acquire();
  try {
    hasher.update(bytes);
    return hasher.digest("hex");
  } finally {
    hashers.xxh128.release(hasher);
  }
}

/**
 * Streams a file through XXH3-128. Throws the `node:fs` error (ENOENT, EISDIR, EACCES...)
 * when the file cannot be read, and `path-unsupported` for a non-UTF-8 path under Deno.
 *
 * @example
 * ```ts
 * import { digestFile } from "./digest.ts";
 * const { digest, size } = await digestFile("/etc/hostname");
 * console.log(digest.length, size); // 32 ...
 * ```
 */
export async function digestFile(
  path: BytePath,
  opts: DigestFileOptions = {},
): Promise<FileDigest> {
  opts.signal?.throwIfAborted();
  assertReachablePath(path, "hash");
  const fd = openSync(fsPath(path), "r");
  const hasher = await hashers.xxh128.acquire();
  try {
    let buf = Buffer.allocUnsafe(64 << 10);
    let size = 0;
    let sinceYield = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hasher.update(n === buf.length ? buf : buf.subarray(0, n));
      size += n;
      sinceYield += n;
      if (n === buf.length && buf.length < CHUNK) buf = Buffer.allocUnsafe(CHUNK);
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setTimeout(resolve, 0));
        opts.signal?.throwIfAborted();
      }
    }
    return { digest: hasher.digest("hex"), size };
  } finally {
    hashers.xxh128.release(hasher);
    closeSync(fd);
  }
}

/**
 * Digest of a directory listing: the entries sorted by name in byte order, each written
 * as `name "/" type "\0"` (`/` cannot occur in a name). Order of `entries` does not matter.
 *
 * @example
 * ```ts
 * import { digestListing } from "./digest.ts";
 * const a = { name: "a", type: "f" as const };
 * const b = { name: "b", type: "d" as const };
 * (await digestListing([b, a])) === (await digestListing([a, b])); // true
 * ```
 */
export async function digestListing(entries: readonly DirEntry[]): Promise<string> {
  // Byte paths are latin1 strings, so UTF-16 code unit order is byte order.
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let text = "";
  for (const e of sorted) text += e.name + "/" + e.type + "\0";
  // Native SHA-256, not the WASM XXH3: validating a listing is on the hit path, and a
  // listing digest is never a blob name, so it need not share the content hash.
  return await Promise.resolve(keyDigest(Buffer.from(text, "latin1")));
}

/**
 * Reads a directory's entries byte-exact with their types (nothing excluded; see
 * `_read_dir_entries.ts` for the Deno workaround) and digests them with {@link digestListing}.
 * Throws the `node:fs` error when the directory cannot be read.
 *
 * @example
 * ```ts
 * import { digestDirectory } from "./digest.ts";
 * const digest = await digestDirectory("/etc");
 * ```
 */
export async function digestDirectory(path: BytePath): Promise<string> {
  assertReachablePath(path, "list");
  return await digestListing(readDirEntries(path));
}
