/**
 * Which paths may be effects: excluded trees (/proc, /sys, /dev, the cache dir,
 * casher's temp dirs) are never inputs or outputs; writes outside the output
 * roots are ignored. Matching is by whole path components, so `/tmp/x/proc/a`
 * or `<cwd>/dev/input.txt` are not excluded. `/dev/shm` is a real file system (a tmpfs
 * programs keep files in), so what is under it is recorded like anywhere else.
 *
 * @module
 */
import { type BytePath, isUnder } from "../path/byte_path.ts";

/** Always-excluded kernel/device trees. */
export const SYSTEM_EXCLUDES: readonly BytePath[] = ["/proc", "/sys", "/dev"];

/** Real file systems mounted inside an excluded tree: not excluded. */
const SYSTEM_INCLUDES: readonly BytePath[] = ["/dev/shm"];

/**
 * Whether `p` is in a kernel or device tree (never an effect): what `/proc/self/...` or
 * `/dev/tty` holds is not content casher could record or compare.
 *
 * @example
 * ```ts
 * import { isSystemPath } from "./path_filter.ts";
 * isSystemPath("/proc/self/status"); // true
 * isSystemPath("/dev/shm/data.bin"); // false
 * ```
 */
export function isSystemPath(p: BytePath): boolean {
  for (const root of SYSTEM_INCLUDES) if (isUnder(p, root)) return false;
  for (const root of SYSTEM_EXCLUDES) if (isUnder(p, root)) return true;
  return false;
}

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
    this.#exclude = opts.exclude.map(trimSlash);
    this.#roots = opts.outputRoots.map(trimSlash);
  }

  /** True when the path must never be an input or output. */
  excluded(p: BytePath): boolean {
    if (isSystemPath(p)) return true;
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
