/**
 * casher: cache the results and the side effects of commands and functions.
 *
 * The library face is {@link cached}: wrap a function, and equal calls return the stored
 * value, replay what it printed and restore the files it wrote, without running it, as
 * long as nothing it read changed. Caching is disabled until a cache directory is set
 * ({@link configure}, the `cacheDir` option, or `CASHER_CACHE_DIR`).
 *
 * @example
 * ```ts ignore
 * import { cached, configure, file } from "@casher/core";
 * configure({ cacheDir: ".cache/casher" });
 * const wordCount = cached(async function wordCount(doc: URL) {
 *   const text = await Deno.readTextFile(doc);
 *   return text.split(/\s+/).length;
 * });
 * console.log(await wordCount(file("README.md")));
 * ```
 *
 * @module
 */
export { CasherError, type CasherErrorCode, isCasherError } from "./lib/errors/casher_error.ts";
export { type Config, type ConfigOptions, configure, getConfig } from "./lib/config/mod.ts";
export { type Cached, cached, type CachedOptions, type PathLike } from "./lib/function/cached.ts";
export { expandInputDir, file } from "./lib/function/expand_input_dir.ts";
