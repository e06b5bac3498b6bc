/**
 * The names fds were opened by. `-y` prints an fd's real path; when the program opened it
 * through a symlink (`L -> r1`), what the run then does with the fd depends on where `L`
 * pointed. A read-open does not say whether the fd is a directory, so the link inputs are
 * added when the fd is first used as one (listed, fstat'ed as S_IFDIR, used as the dirfd
 * of an `*at` call, fchdir'ed into), or when its real path is read back (a `readlink` of
 * `/proc/self/fd/N`).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type { ClassifierContext } from "./classifier.ts";
import { linksOnTheWay } from "./probe_calls.ts";

/**
 * Real path -> the name it was opened by, for one run.
 *
 * @example
 * ```ts
 * import { FdAliases } from "./fd_aliases.ts";
 * const aliases = new FdAliases();
 * aliases.set("/w/r1", "/w/L");
 * aliases.get("/w/r1"); // "/w/L"
 * // aliases.pinLinks(ctx, "/w/r1") records /w/L as an `entry` input, once
 * ```
 */
export class FdAliases {
  readonly #named = new Map<BytePath, BytePath>();
  readonly #linked = new Set<BytePath>();

  /** The name `real` was last opened by, if it differs. */
  get(real: BytePath): BytePath | undefined {
    return this.#named.get(real);
  }

  /** Notes that an open of `named` returned an fd at `real`. */
  set(real: BytePath, named: BytePath): void {
    if (real !== named) this.#named.set(real, named);
  }

  /**
   * The fd at `real` was used in a way that depends on where its name led (as a directory,
   * or its path read back): the links on the name's way are inputs.
   */
  pinLinks(ctx: ClassifierContext, real: BytePath): void {
    const named = this.#named.get(real);
    if (named === undefined || this.#linked.has(real)) return;
    this.#linked.add(real);
    linksOnTheWay(ctx, { named, real });
  }
}
