/**
 * Content hashing: XXH3-128 digests of bytes, files and directory listings, and the
 * resettable pools of wasm hashers behind them.
 *
 * @module
 */
export {
  digestBytes,
  digestDirectory,
  digestFile,
  type DigestFileOptions,
  digestListing,
  type DirEntry,
  type EntryType,
  type FileDigest,
} from "./digest.ts";
export { HasherPool, type Hashers, hashers } from "./hasher_pool.ts";
