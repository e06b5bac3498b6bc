/**
 * Which paths may be effects: excluded trees (/proc, /sys, /dev, the cache dir,
 * casher's temp dirs) are never inputs or outputs; writes outside the output
 * roots are ignored. Matching is by whole path components, so `/tmp/x/proc/a`
 * or `<cwd>/dev/input.txt` are not excluded.
 *
 * @module
 */
import { type BytePath, isUnder } from "../path/byte_path.ts";

/** Always-excluded kernel/device trees. */
export const SYSTEM_EXCLUDES: readonly BytePath[] = ["/proc", "/sys", "/dev"];

/**
 * Decides exclusion and output-root membership.
 *
 * @example
 * ```ts
 * import { PathFilter } from "./path_filter.ts";
 * const f = new PathFilter({ exclude: ["/cache"], outputRoots: ["/work"] });
 * f.excluded("/proc/self/maps"); // true
 * f.excluded("/work/proc/x"); // false
 * f.writable("/etc/x"); // false
 * ```
 */
export class PathFilter {
  readonly #exclude: readonly BytePath[];
  readonly #roots: readonly BytePath[];

  constructor(opts: { exclude: readonly BytePath[]; outputRoots: readonly BytePath[] }) {
    this.#exclude = [...SYSTEM_EXCLUDES, ...opts.exclude].map(trimSlash);
    this.#roots = opts.outputRoots.map(trimSlash);
  }

  /** True when the path must never be an input or output. */
  excluded(p: BytePath): boolean {
    for (const root of this.#exclude) if (isUnder(p, root)) return true;
    return false;
  }

  /** True when a write to the path is an output (it lies under an output root). */
  writable(p: BytePath): boolean {
    for (const root of this.#roots) if (isUnder(p, root)) return true;
    return false;
  }
}

function trimSlash(p: BytePath): BytePath {
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}
