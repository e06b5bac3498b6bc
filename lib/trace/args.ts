/**
 * Decoders for the argument shapes the classifier needs: directory fds (with
 * their `-y` path), path strings, `O_*` open flags and the file type printed in
 * stat structures.
 *
 * @module
 */
import { decodeQuoted, decodeRange, type HexDecoder, type QuotedString } from "./hex.ts";
import type { BytePath } from "../path/byte_path.ts";

/**
 * Why a probe found a path missing: `ENOENT`, or `ENOTDIR` (a component on the way is
 * not a directory). A program can tell them apart, so an input keeps which one it was.
 */
export type AbsentErrno = "ENOENT" | "ENOTDIR";

/**
 * The {@link AbsentErrno} an error return proves, or `null` when it proves nothing.
 *
 * @example
 * ```ts
 * import { absentErrno } from "./args.ts";
 * absentErrno("ENOTDIR"); // "ENOTDIR"
 * absentErrno("EACCES"); // null
 * ```
 */
export function absentErrno(errno: string): AbsentErrno | null {
  return errno === "ENOENT" || errno === "ENOTDIR" ? errno : null;
}

/** A `dirfd` argument: `AT_FDCWD<cwd>` or `N<path>`; `path` is null when not printed or not a path. */
export interface DirFdArg {
  readonly kind: "cwd" | "fd";
  readonly path: BytePath | null;
  /** The directory was deleted (the `(deleted)` mark strace copies from /proc). */
  readonly deleted: boolean;
}

const DELETED = " (deleted)";

/**
 * Decodes a dirfd/fd argument, or returns `null` when it is not one.
 *
 * @example
 * ```ts
 * import { decodeDirFd } from "./args.ts";
 * decodeDirFd("3<\\x2f\\x74>"); // { kind: "fd", path: "/t", deleted: false }
 * ```
 */
export function decodeDirFd(
  arg: string,
  opts: { readonly decode?: HexDecoder } = {},
): DirFdArg | null {
  let kind: "cwd" | "fd";
  let i: number;
  const n = arg.length;
  if (arg.startsWith("AT_FDCWD")) {
    kind = "cwd";
    i = 8;
  } else {
    i = 0;
    if (arg.charCodeAt(0) === 45) i = 1;
    const s = i;
    while (i < n) {
      const c = arg.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === s) return null;
    kind = "fd";
  }
  if (i === n) return { kind, path: null, deleted: false };
  if (arg.charCodeAt(i) !== 60) return null;
  const close = arg.indexOf(">", i + 1);
  if (close < 0) return null;
  let deleted = close === n - 10 && arg.startsWith("(deleted)", close + 1);
  if (!deleted && close !== n - 1) return null;
  let path = (opts.decode ?? decodeRange)(arg, i + 1, close);
  if (path !== null && kind === "cwd" && path.endsWith(DELETED)) {
    path = path.slice(0, -DELETED.length);
    deleted = true;
  }
  if (path !== null && path.charCodeAt(0) !== 47 /* / */) path = null;
  return { kind, path, deleted };
}

/**
 * Decodes a path argument (a quoted `-xx` string).
 *
 * @example
 * ```ts
 * import { decodePath } from "./args.ts";
 * decodePath('"\\x61"'); // { kind: "ok", value: "a" }
 * ```
 */
export function decodePath(
  arg: string | undefined,
  opts: { readonly decode?: HexDecoder } = {},
): QuotedString {
  return arg === undefined ? { kind: "invalid" } : decodeQuoted(arg, opts);
}

/** The open flags that matter for classification. */
export interface OpenFlags {
  readonly access: "read" | "write" | "readwrite";
  readonly create: boolean;
  readonly exclusive: boolean;
  readonly truncate: boolean;
  readonly append: boolean;
  readonly directory: boolean;
  /** O_PATH: no content access. */
  readonly pathOnly: boolean;
  /** O_TMPFILE: an unnamed file in the directory. */
  readonly tmpfile: boolean;
  /** O_NOFOLLOW: a final symlink is not followed. */
  readonly noFollow: boolean;
}

/**
 * Decodes symbolic open flags (`O_WRONLY|O_CREAT|O_TRUNC`), or `null` when they
 * are not symbolic.
 *
 * @example
 * ```ts
 * import { decodeOpenFlags } from "./args.ts";
 * decodeOpenFlags("O_RDWR|O_APPEND")?.append; // true
 * ```
 */
export function decodeOpenFlags(text: string): OpenFlags | null {
  if (!text.startsWith("O_")) return null;
  let access: OpenFlags["access"];
  if (text.startsWith("O_RDONLY")) access = "read";
  else if (text.startsWith("O_WRONLY")) access = "write";
  else if (text.startsWith("O_RDWR")) access = "readwrite";
  else return null;
  // Each flag name counts wherever it occurs (as with `includes`); all start with "O_".
  let bits = 0;
  for (let j = text.indexOf("O_", 2); j >= 0; j = text.indexOf("O_", j + 2)) {
    bits |= flagAt(text, j);
  }
  const tmpfile = (bits & TMPFILE) !== 0;
  return {
    access,
    create: (bits & CREAT) !== 0,
    exclusive: (bits & EXCL) !== 0,
    truncate: (bits & TRUNC) !== 0,
    append: (bits & APPEND) !== 0,
    directory: tmpfile || (bits & DIRECTORY) !== 0,
    pathOnly: (bits & PATH) !== 0,
    tmpfile,
    noFollow: (bits & NOFOLLOW) !== 0,
  };
}

const CREAT = 1;
const EXCL = 2;
const TRUNC = 4;
const APPEND = 8;
const DIRECTORY = 16;
const PATH = 32;
const TMPFILE = 64;
const NOFOLLOW = 128;

/** The flag whose name starts at `j` (which holds "O_"), or 0. */
function flagAt(text: string, j: number): number {
  switch (text.charCodeAt(j + 2)) {
    case 67: // C
      return text.startsWith("CREAT", j + 2) ? CREAT : 0;
    case 69: // E
      return text.startsWith("EXCL", j + 2) ? EXCL : 0;
    case 84: // T
      return text.startsWith("TRUNC", j + 2)
        ? TRUNC
        : text.startsWith("TMPFILE", j + 2)
        ? TMPFILE
        : 0;
    case 65: // A
      return text.startsWith("APPEND", j + 2) ? APPEND : 0;
    case 68: // D
      return text.startsWith("DIRECTORY", j + 2) ? DIRECTORY : 0;
    case 80: // P
      return text.startsWith("PATH", j + 2) ? PATH : 0;
    case 78: // N
      return text.startsWith("NOFOLLOW", j + 2) ? NOFOLLOW : 0;
    default:
      return 0;
  }
}

/** The file type printed in a stat/statx result (`special`: FIFO, socket, device). */
export type StatType = "reg" | "dir" | "link" | "special" | "unknown";

const MODE_BITS: Readonly<Record<string, number>> = {
  S_IFREG: 0o100000,
  S_IFDIR: 0o040000,
  S_IFLNK: 0o120000,
  S_IFCHR: 0o020000,
  S_IFBLK: 0o060000,
  S_IFIFO: 0o010000,
  S_IFSOCK: 0o140000,
  S_ISUID: 0o4000,
  S_ISGID: 0o2000,
  S_ISVTX: 0o1000,
};

/**
 * Reads the whole `st_mode`/`stx_mode` (type and permission bits) from a printed stat
 * structure; `null` when not printed or not understood.
 *
 * @example
 * ```ts
 * import { decodeStatMode } from "./args.ts";
 * decodeStatMode("{st_mode=S_IFDIR|S_ISGID|0755, st_size=4096, ...}"); // 0o042755
 * ```
 */
export function decodeStatMode(arg: string | undefined): number | null {
  if (arg === undefined || arg.charCodeAt(0) !== 123) return null;
  const m = /\bstx?_mode=([A-Z_|]*?)\|?(0[0-7]*)?(?=[,}])/.exec(arg);
  if (m === null || m[1] === "") return null;
  let mode = m[2] === undefined ? 0 : parseInt(m[2], 8);
  for (const name of m[1].split("|")) {
    const bits = MODE_BITS[name];
    if (bits === undefined) return null;
    mode |= bits;
  }
  return (mode & 0o170000) === 0 ? null : mode;
}

/**
 * Reads `st_size=`/`stx_size=` from a printed stat structure; `null` when not printed.
 *
 * @example
 * ```ts
 * import { decodeStatSize } from "./args.ts";
 * decodeStatSize("{st_mode=S_IFREG|0644, st_size=12, ...}"); // 12
 * ```
 */
export function decodeStatSize(arg: string | undefined): number | null {
  if (arg === undefined || arg.charCodeAt(0) !== 123) return null;
  const m = /\bstx?_size=(\d+)/.exec(arg);
  return m === null ? null : Number(m[1]);
}

/**
 * Reads `st_mode=`/`stx_mode=` from a printed stat structure (`unknown` when not printed).
 *
 * @example
 * ```ts
 * import { decodeStatType } from "./args.ts";
 * decodeStatType("{st_mode=S_IFDIR|0755, st_size=4096, ...}"); // "dir"
 * ```
 */
export function decodeStatType(arg: string | undefined): StatType {
  if (arg === undefined || arg.charCodeAt(0) !== 123) return "unknown";
  let at = arg.indexOf("st_mode=");
  if (at >= 0) at += 8;
  else {
    at = arg.indexOf("stx_mode=");
    if (at < 0) return "unknown";
    at += 9;
  }
  if (arg.startsWith("S_IFREG", at)) return "reg";
  if (arg.startsWith("S_IFDIR", at)) return "dir";
  if (arg.startsWith("S_IFLNK", at)) return "link";
  if (arg.startsWith("S_IF", at)) return "special";
  return "unknown";
}
