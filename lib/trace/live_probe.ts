/**
 * The state of a path while the run goes on, for the few cases the trace leaves open (which
 * of two paths a failed call found missing, whether a renamed object nobody stat'ed is a
 * directory). The trace is classified as it streams, so this is the state around the call;
 * the inputs it picks are checked again after the run like any other.
 *
 * @module
 */
import { lstatSync } from "node:fs";
import { type BytePath, fsPath } from "../path/byte_path.ts";

/**
 * Whether `p` exists now (lstat), for a failure the errno does not pin to one path.
 *
 * @example
 * ```ts
 * import { existsNow } from "./live_probe.ts";
 * existsNow("/"); // true
 * ```
 */
export function existsNow(p: BytePath): boolean {
  try {
    return lstatSync(fsPath(p), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true; // not missing: a meta input, which the engine checks (or refuses) itself
  }
}

/**
 * Whether `p` is a symlink now (lstat).
 *
 * @example
 * ```ts
 * import { isLinkNow } from "./live_probe.ts";
 * isLinkNow("/"); // false
 * ```
 */
export function isLinkNow(p: BytePath): boolean {
  try {
    return lstatSync(fsPath(p), { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
  } catch {
    return false;
  }
}

/**
 * Whether `p` is a directory now (lstat: a symlink to one is not).
 *
 * @example
 * ```ts
 * import { isDirNow } from "./live_probe.ts";
 * isDirNow("/"); // true
 * ```
 */
export function isDirNow(p: BytePath): boolean {
  try {
    return lstatSync(fsPath(p), { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
