/**
 * Stats taken after a run, one per path and mode, shared by the checks that need them: a
 * path the run both opened and stat'ed is an input twice (its content and its metadata),
 * and both checks ask what the path is now, after the run. One stat answers both.
 *
 * @module
 */
import { fsArg } from "../store/fingerprint.ts";
import type { BytePath } from "../path/byte_path.ts";
import { type PreciseStat, preciseStat } from "../runtime/mod.ts";

type Outcome = { readonly st: PreciseStat | null } | { readonly error: unknown };

/**
 * A per-`finish` cache of {@link preciseStat} results (errors included: each use rethrows).
 *
 * @example
 * ```ts
 * import { PostRunStats } from "./_post_run_stats.ts";
 * const stats = new PostRunStats();
 * stats.get("/etc/hostname", { lstat: false }) === stats.get("/etc/hostname", { lstat: false }); // true
 * ```
 */
export class PostRunStats {
  readonly #seen = new Map<string, Outcome>();

  /** The stat of `path` (following a final symlink unless `lstat`), `null` when missing. */
  get(path: BytePath, { lstat }: { readonly lstat: boolean }): PreciseStat | null {
    const id = (lstat ? "l" : "s") + path;
    let got = this.#seen.get(id);
    if (got === undefined) {
      try {
        got = { st: preciseStat({ path: fsArg(path), lstat }) };
      } catch (error) {
        got = { error };
      }
      this.#seen.set(id, got);
    }
    if ("error" in got) throw got.error;
    return got.st;
  }
}
