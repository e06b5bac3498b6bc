/**
 * Makes traced paths absolute and normalized without changing which file they
 * name. `.` and empty components are dropped; `x/..` is collapsed only when `x`
 * is a real directory (checked with lstat, memoized per run). When `x` is a
 * symlink (or missing) the `..` is kept, because the kernel resolves `..`
 * after following the link and a lexical collapse would name another file.
 * Symlinks themselves are never resolved: a file read through a symlinked
 * directory is recorded under the symlink path; the kernel follows the link
 * again on validation, so a changed target is still detected by content.
 * Each collapse is reported (`onCollapse`) so that `x` being a real directory
 * becomes an input: replacing it by a symlink later changes what `x/..` names.
 *
 * @module
 */
import { lstatSync } from "node:fs";
import { type BytePath, fsPath } from "../path/byte_path.ts";

/**
 * Normalizes absolute paths (see module doc); owns its lstat memo.
 *
 * @example
 * ```ts
 * import { PathNormalizer } from "./path_normalizer.ts";
 * const n = new PathNormalizer();
 * n.resolve("/usr/include", "./stdio.h"); // "/usr/include/stdio.h"
 * ```
 */
export class PathNormalizer {
  readonly #realDir = new Map<BytePath, boolean>();
  readonly #onCollapse: (dir: BytePath) => void;

  /** `onCollapse` is called with `x` whenever `x/..` is collapsed. */
  constructor(options: { readonly onCollapse?: (dir: BytePath) => void } = {}) {
    this.#onCollapse = options.onCollapse ?? (() => {});
  }

  /** Resolves `p` against absolute `base` (ignored when `p` is absolute). */
  resolve(base: BytePath, p: BytePath): BytePath {
    const abs = p.startsWith("/") ? p : base === "/" ? "/" + p : base + "/" + p;
    if (!needsWork(abs)) return abs;
    const out: string[] = [];
    let keepFrom = 0; // components before this index may not be collapsed
    for (const part of abs.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (out.length === 0) continue; // "/.." is "/"
        const dir = "/" + out.join("/");
        if (out.length > keepFrom && this.#isRealDir(dir)) {
          this.#onCollapse(dir);
          out.pop();
          continue;
        }
        out.push("..");
        keepFrom = out.length;
        continue;
      }
      out.push(part);
    }
    return "/" + out.join("/");
  }

  #isRealDir(p: BytePath): boolean {
    let r = this.#realDir.get(p);
    if (r === undefined) {
      try {
        r = lstatSync(fsPath(p), { throwIfNoEntry: false })?.isDirectory() ?? false;
      } catch {
        r = false;
      }
      this.#realDir.set(p, r);
    }
    return r;
  }
}

/** Whether `p` has an empty, `.` or `..` component, or a trailing slash. */
function needsWork(p: BytePath): boolean {
  const n = p.length;
  for (let j = p.indexOf("/"); j >= 0; j = p.indexOf("/", j + 1)) {
    if (j === n - 1) return n > 1; // a trailing slash ("/" alone is fine)
    const c = p.charCodeAt(j + 1);
    if (c === 47 /* / */) return true;
    if (c !== 46 /* . */) continue;
    if (j + 2 === n) return true; // ends with "/."
    const d = p.charCodeAt(j + 2);
    if (d === 47) return true; // "/./"
    if (d === 46 && (j + 3 === n || p.charCodeAt(j + 3) === 47)) return true; // "/.." at end, "/../"
  }
  return false;
}
