/**
 * The CLI's cache directory: `--cache-dir`, else `CASHER_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/casher`, else `~/.cache/casher`.
 *
 * @module
 */
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Resolves the cache directory for the CLI.
 *
 * @example
 * ```ts
 * import { cliCacheDir } from "./cache_dir.ts";
 * cliCacheDir(null, { XDG_CACHE_HOME: "/x" }); // "/x/casher"
 * ```
 */
export function cliCacheDir(flag: string | null, env: Record<string, string | undefined>): string {
  if (flag) return flag;
  if (env.CASHER_CACHE_DIR) return env.CASHER_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "casher");
  return join(env.HOME || homedir(), ".cache", "casher");
}
