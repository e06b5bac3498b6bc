/**
 * Refuses paths the runtime cannot reach byte-exact. Under Deno, `node:fs` decodes path
 * bytes as UTF-8 and replaces invalid bytes with U+FFFD, so a non-UTF-8 path would silently
 * name a *different* file: reading or writing it could serve stale data. Such paths raise
 * `path-unsupported` (the caller treats the run as uncacheable) instead.
 *
 * @module
 */
import { CasherError } from "../errors/casher_error.ts";
import { type BytePath, displayPath, isUtf8Path } from "../path/byte_path.ts";
import { bytePathsSupported } from "../runtime/mod.ts";

/**
 * Throws `CasherError("path-unsupported")` when `path` is not valid UTF-8 and the runtime
 * cannot pass its bytes through unchanged.
 *
 * @example
 * ```ts
 * import { assertReachablePath } from "./path_guard.ts";
 * assertReachablePath("/tmp/plain-ascii", "hash"); // fine everywhere
 * ```
 */
export function assertReachablePath(path: BytePath, action: string): void {
  if (bytePathsSupported() || isUtf8Path(path)) return;
  throw new CasherError(
    "path-unsupported",
    `Cannot ${action} ${displayPath(path)}: the path is not valid UTF-8 and this runtime ` +
      `cannot address it byte-exact; the run is not cached (use the Bun build for such paths)`,
  );
}
