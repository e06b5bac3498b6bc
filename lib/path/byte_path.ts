/**
 * Paths are bytes on Linux, not text. casher carries every path as a *byte string*:
 * a JS string whose char codes 0-255 are the path's bytes (latin1). It round-trips
 * any byte sequence, compares and hashes cheaply, and converts to a `Buffer` for
 * `node:fs` at the edge.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { posix } from "node:path";

/** A path as a byte string: each char code (0-255) is one byte of the path. */
export type BytePath = string;

/**
 * Wraps raw bytes as a {@link BytePath}.
 *
 * @example
 * ```ts
 * import { bytePathFromBytes } from "./byte_path.ts";
 * bytePathFromBytes(new Uint8Array([0x2f, 0xff])); // "/\xff"
 * ```
 */
export function bytePathFromBytes(bytes: Uint8Array): BytePath {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

/**
 * Converts a text path (as typed by a user, UTF-8) to a {@link BytePath}.
 *
 * @example
 * ```ts
 * import { bytePath } from "./byte_path.ts";
 * bytePath("/tmp/é"); // "/tmp/\xc3\xa9"
 * ```
 */
export function bytePath(text: string): BytePath {
  return Buffer.from(text, "utf8").toString("latin1");
}

/**
 * The form of a {@link BytePath} to hand to `node:fs`: a plain string when the bytes are
 * valid UTF-8 (every runtime accepts it, and Deno's `node:fs` rejects `Buffer` paths in
 * some calls), a `Buffer` of the exact bytes otherwise.
 *
 * @example
 * ```ts
 * import { fsPath, bytePath } from "./byte_path.ts";
 * import { existsSync } from "node:fs";
 * existsSync(fsPath(bytePath("/tmp")));
 * ```
 */
export function fsPath(p: BytePath): string | Buffer {
  // deno-lint-ignore no-control-regex
  if (!/[^\x00-\x7f]/.test(p)) return p;
  const text = Buffer.from(p, "latin1").toString("utf8");
  return Buffer.from(text, "utf8").toString("latin1") === p ? text : Buffer.from(p, "latin1");
}

/**
 * The exact bytes of a {@link BytePath}.
 *
 * @example
 * ```ts
 * import { pathBytes } from "./byte_path.ts";
 * pathBytes("/\xff").length; // 2
 * ```
 */
export function pathBytes(p: BytePath): Buffer {
  return Buffer.from(p, "latin1");
}

/**
 * Whether the path's bytes are valid UTF-8 (so runtimes that take string paths can use it).
 *
 * @example
 * ```ts
 * import { isUtf8Path } from "./byte_path.ts";
 * isUtf8Path("/tmp/\xff"); // false
 * ```
 */
export function isUtf8Path(p: BytePath): boolean {
  // deno-lint-ignore no-control-regex
  if (!/[^\x00-\x7f]/.test(p)) return true;
  return Buffer.from(Buffer.from(p, "latin1").toString("utf8"), "utf8").toString("latin1") === p;
}

/**
 * A human-readable rendering of a path for messages (invalid bytes shown as U+FFFD).
 *
 * @example
 * ```ts
 * import { displayPath, bytePath } from "./byte_path.ts";
 * displayPath(bytePath("/tmp/é")); // "/tmp/é"
 * ```
 */
export function displayPath(p: BytePath): string {
  return Buffer.from(p, "latin1").toString("utf8");
}

/**
 * Resolves a byte path against a base directory and normalizes `.`/`..` and slashes.
 * Symlinks are not resolved (see README, "Symlinked directories").
 *
 * @example
 * ```ts
 * import { resolveBytePath } from "./byte_path.ts";
 * resolveBytePath("/work/a", "../b//c"); // "/work/b/c"
 * ```
 */
export function resolveBytePath(base: BytePath, p: BytePath): BytePath {
  return p.startsWith("/") ? posix.normalize(p) : posix.resolve(base, p);
}

/**
 * True when `p` equals `root` or lies beneath it.
 *
 * @example
 * ```ts
 * import { isUnder } from "./byte_path.ts";
 * isUnder("/a/b/c", "/a/b"); // true
 * isUnder("/a/bc", "/a/b"); // false
 * ```
 */
export function isUnder(p: BytePath, root: BytePath): boolean {
  if (root === "/") return true;
  return p === root || p.startsWith(root.endsWith("/") ? root : root + "/");
}

/**
 * The directory holding an absolute, normalized path (`/` for `/` and its entries).
 *
 * @example
 * ```ts
 * import { parentOf } from "./byte_path.ts";
 * parentOf("/a/b"); // "/a"
 * parentOf("/a"); // "/"
 * ```
 */
export function parentOf(p: BytePath): BytePath {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}
