/**
 * `stat` with nanosecond timestamps in every runtime.
 *
 * casher's "did this input change during the run?" rule compares a file's ctime with the
 * run's start, so it needs the kernel's real ctime. Bun and Node report it in full; Deno's
 * `node:fs` and `Deno.statSync` truncate ctime to whole seconds, so under Deno this module
 * calls libc's `statx(2)` through FFI (the `statx` buffer layout is the same on every Linux
 * architecture). When FFI is unavailable it reports `precise: false` and callers must treat
 * the timestamps as coarse.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { fstatSync, lstatSync, statSync } from "node:fs";

/** The fields of a stat that casher's fingerprints use. */
export interface PreciseStat {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  /** Creation time, or `null` when the file system does not report it. */
  readonly btimeNs: bigint | null;
  /** Hard links; 0 once the file was unlinked (renamed over) while held open. */
  readonly nlink: number;
  readonly isDir: boolean;
  readonly isFile: boolean;
  /** The whole `st_mode` (type and permission bits). */
  readonly mode: number;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const AT_SYMLINK_NOFOLLOW = 0x100;
const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;
const MASK = STATX_BASIC_STATS | STATX_BTIME;
const ENOENT = 2;
const ENOTDIR = 20;

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

interface StatxLib {
  statx(dirfd: number, path: Uint8Array, flags: number, mask: number, buf: Uint8Array): number;
  errno(): number;
}

let lib: StatxLib | null | undefined;

function statxLib(): StatxLib | null {
  if (lib !== undefined) return lib;
  lib = null;
  if (typeof g.Deno?.dlopen !== "function") return lib;
  try {
    const dl = g.Deno.dlopen("libc.so.6", {
      statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
      __errno_location: { parameters: [], result: "pointer" },
    });
    lib = {
      statx: (dirfd, path, flags, mask, buf) => dl.symbols.statx(dirfd, path, flags, mask, buf),
      errno: () => new g.Deno.UnsafePointerView(dl.symbols.__errno_location()).getInt32(),
    };
  } catch {
    lib = null;
  }
  return lib;
}

/**
 * True when {@link preciseStat} reports real nanosecond ctimes in this process.
 *
 * @example
 * ```ts
 * import { hasPreciseCtime } from "./precise_stat.ts";
 * console.log(hasPreciseCtime());
 * ```
 */
export function hasPreciseCtime(): boolean {
  return typeof g.Deno === "undefined" || statxLib() !== null;
}

/**
 * What {@link preciseStat} stats: a path (a string, taken as text and encoded as UTF-8 as
 * `node:fs` does, or a `Buffer` of the exact bytes for a path that is not valid UTF-8),
 * or an open fd.
 */
export type PreciseStatTarget = { path: string | Buffer; lstat?: boolean } | { fd: number };

/**
 * Stats a path (following symlinks unless `lstat`) or an open fd; `null` when the path
 * does not exist. Other errors are thrown (as `Error` with `code`).
 *
 * Pass a path as a plain string when it is valid UTF-8 (`fsPath` of a `BytePath` gives
 * that, or the `Buffer` of its bytes otherwise): under Bun a string is stat'ed as is, while
 * a `Buffer` is first checked for being UTF-8 (some calls reject `Buffer` paths).
 *
 * @example
 * ```ts
 * import { preciseStat } from "./precise_stat.ts";
 * preciseStat({ path: "/etc/hostname" })?.ctimeNs;
 * preciseStat({ path: Buffer.from([0x2f, 0x74, 0x6d, 0x70, 0x2f, 0xff]) }); // not UTF-8
 * ```
 */
export function preciseStat(target: PreciseStatTarget): PreciseStat | null {
  const fx = typeof g.Deno === "undefined" ? null : statxLib();
  if (fx === null) return nodeStat(target);
  const buf = new Uint8Array(256);
  const rc = "fd" in target
    ? fx.statx(target.fd, new Uint8Array([0]), AT_EMPTY_PATH, MASK, buf)
    : fx.statx(
      AT_FDCWD,
      cPath(target.path),
      target.lstat ? AT_SYMLINK_NOFOLLOW : 0,
      MASK,
      buf,
    );
  if (rc !== 0) {
    const errno = fx.errno();
    if (errno === ENOENT || errno === ENOTDIR) return null;
    throw Object.assign(new Error(`statx failed with errno ${errno}`), { errno });
  }
  const v = new DataView(buf.buffer);
  const ts = (at: number) =>
    v.getBigInt64(at, true) * 1_000_000_000n + BigInt(v.getUint32(at + 8, true));
  const mode = v.getUint16(28, true);
  const dev = makedev(BigInt(v.getUint32(136, true)), BigInt(v.getUint32(140, true)));
  return {
    dev,
    ino: v.getBigUint64(32, true),
    size: v.getBigUint64(40, true),
    ctimeNs: ts(96),
    mtimeNs: ts(112),
    btimeNs: (v.getUint32(0, true) & STATX_BTIME) !== 0 ? ts(80) : null,
    nlink: v.getUint32(16, true),
    isDir: (mode & S_IFMT) === S_IFDIR,
    isFile: (mode & S_IFMT) === S_IFREG,
    mode,
  };
}

/** glibc's `makedev`, so device numbers agree with `node:fs` in other runtimes. */
function makedev(major: bigint, minor: bigint): bigint {
  return ((major & 0xfffff000n) << 32n) | ((major & 0xfffn) << 8n) |
    ((minor & 0xffffff00n) << 12n) | (minor & 0xffn);
}

/** The NUL-terminated bytes of a path, for `statx`. */
function cPath(path: string | Buffer): Uint8Array {
  return typeof path === "string"
    ? Buffer.from(path + "\0", "utf8")
    : Buffer.concat([path, Buffer.from([0])]);
}

function nodeStat(target: PreciseStatTarget): PreciseStat | null {
  let s;
  try {
    s = "fd" in target
      ? fstatSync(target.fd, { bigint: true })
      : (target.lstat ? lstatSync : statSync)(pathArg(target.path), { bigint: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw e;
  }
  return {
    dev: s.dev,
    ino: s.ino,
    size: s.size,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
    btimeNs: s.birthtimeNs > 0n ? s.birthtimeNs : null,
    nlink: Number(s.nlink),
    isDir: s.isDirectory(),
    isFile: s.isFile(),
    mode: Number(s.mode),
  };
}

function pathArg(path: string | Buffer): string | Buffer {
  if (typeof path === "string") return path;
  const text = path.toString("utf8");
  return Buffer.from(text, "utf8").equals(path) ? text : path;
}
