/**
 * The CLI's cache directory: `--cache-dir`, else `CASHER_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/casher`, else `~/.cache/casher`.
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";

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
  return join(env.HOME || osHome(), ".cache", "casher");
}

/** The user's home from the password database (node:os is loaded only when HOME is unset). */
function osHome(): string {
  return (process.getBuiltinModule("node:os") as typeof import("node:os")).homedir();
}
