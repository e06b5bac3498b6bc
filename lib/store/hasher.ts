/**
 * The content digests the index needs, behind a small interface so the WASM hasher is
 * loaded only when a digest is actually computed (a stat-memo hit never loads it) and so
 * tests can substitute their own.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

/**
 * Computes content digests (xxh3-128 hex).
 *
 * @example
 * ```ts
 * const hasher: Hasher = lazyHasher();
 * const { digest } = await hasher.digestFile("/etc/hostname");
 * ```
 */
export interface Hasher {
  /** Digest and size of a file's content. */
  digestFile(path: BytePath): Promise<{ digest: string; size: number }>;
  /** Digest of a directory's sorted entry names. */
  digestDirectory(path: BytePath): Promise<string>;
}

/**
 * The default hasher: `lib/hash/digest.ts`, imported on first use.
 *
 * @example
 * ```ts
 * import { lazyHasher } from "./hasher.ts";
 * const hasher = lazyHasher();
 * // await hasher.digestFile("/etc/hostname");
 * ```
 */
export function lazyHasher(): Hasher {
  let mod: Promise<Hasher> | null = null;
  const load = () => mod ??= import("../hash/digest.ts");
  return {
    digestFile: async (path) => (await load()).digestFile(path),
    digestDirectory: async (path) => (await load()).digestDirectory(path),
  };
}
