/**
 * The nearest proper ancestor of a path within a set of paths: asked for every recorded
 * input against the few paths a run wrote (or earlier candidates wrote), so it runs
 * hundreds of times on every miss.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

/** Up to this many paths in the set, each is compared with the path instead. */
const FEW = 8;
const SLASH = 0x2f;

/**
 * The longest proper ancestor of `path` (a prefix ending just before a `/`, never `/`
 * itself) that `set` holds, or `null`. For a small set each member is compared with
 * `path`; otherwise every ancestor of `path` is looked up. Both find the same one.
 *
 * @example
 * ```ts
 * import { nearestAncestorIn } from "./_ancestor.ts";
 * nearestAncestorIn("/a/b/c", new Set(["/a", "/a/b"])); // "/a/b"
 * nearestAncestorIn("/a/bc", new Set(["/a/b"])); // null
 * ```
 */
export function nearestAncestorIn(path: BytePath, set: ReadonlySet<BytePath>): BytePath | null {
  if (set.size === 0) return null;
  if (set.size <= FEW) {
    let nearest: BytePath | null = null;
    for (const p of set) {
      if (
        p.length > 0 && p.length < path.length && path.charCodeAt(p.length) === SLASH &&
        (nearest === null || p.length > nearest.length) && path.startsWith(p)
      ) nearest = p;
    }
    return nearest;
  }
  for (let at = path.lastIndexOf("/"); at > 0; at = path.lastIndexOf("/", at - 1)) {
    const dir = path.slice(0, at);
    if (set.has(dir)) return dir;
  }
  return null;
}
