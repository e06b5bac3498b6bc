/**
 * The cheapest `stat` each runtime offers, for the hit path's per-input check. Deno's
 * own `Deno.statSync` is about 3x faster than its `node:fs` emulation; elsewhere (and for
 * non-UTF-8 paths, which only `node:fs` can pass) this is `node:fs`. Times are ms
 * (mtime) and whole seconds are enough for ctime: callers fingerprint with that precision.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { lstatSync, readlinkSync, statSync } from "node:fs";

/** A file type, named as in `S_IF*` (`reg`, `dir`, `lnk`, `chr`, `blk`, `fifo`, `sock`). */
export type FileType = "reg" | "dir" | "lnk" | "chr" | "blk" | "fifo" | "sock";

/** The fields of a stat the stat memo fingerprints, plus the mode. */
export interface FastStat {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  /** The whole `st_mode` (type and permission bits). */
  readonly mode: number;
  readonly type: FileType;
}

const TYPES: ReadonlyMap<number, FileType> = new Map([
  [0o100000, "reg"],
  [0o040000, "dir"],
  [0o120000, "lnk"],
  [0o020000, "chr"],
  [0o060000, "blk"],
  [0o010000, "fifo"],
  [0o140000, "sock"],
]);

/**
 * The `S_IF*` bits of a file type; `null` for a name that is not one.
 *
 * @example
 * ```ts
 * import { fileTypeBits } from "./fast_stat.ts";
 * fileTypeBits("dir"); // 0o040000
 * ```
 */
export function fileTypeBits(type: string): number | null {
  for (const [bits, name] of TYPES) if (name === type) return bits;
  return null;
}

/**
 * The file type encoded in an `st_mode`.
 *
 * @example
 * ```ts
 * import { fileTypeOf } from "./fast_stat.ts";
 * fileTypeOf(0o040755); // "dir"
 * ```
 */
export function fileTypeOf(mode: number): FileType {
  const t = TYPES.get(mode & 0o170000);
  if (t === undefined) throw new RangeError(`unknown file type in mode ${mode.toString(8)}`);
  return t;
}

// deno-lint-ignore no-explicit-any
const deno = (globalThis as any).Deno;

/**
 * Stats `path` (`lstat` when asked); `null` when it does not exist (ENOENT, ENOTDIR).
 * Other errors are thrown with their `code`.
 *
 * @example
 * ```ts
 * import { fastStat } from "./fast_stat.ts";
 * fastStat("/etc/hostname")?.isFile; // true
 * ```
 */
export function fastStat(
  path: string | Buffer,
  options: { lstat?: boolean } = {},
): FastStat | null {
  if (deno !== undefined && typeof path === "string") {
    try {
      const s = options.lstat ? deno.lstatSync(path) : deno.statSync(path);
      return {
        dev: s.dev,
        ino: s.ino,
        size: s.size,
        mtimeMs: s.mtime?.getTime() ?? 0,
        ctimeMs: s.ctime?.getTime() ?? 0,
        isFile: s.isFile,
        isDirectory: s.isDirectory,
        mode: s.mode ?? 0,
        type: fileTypeOf(s.mode ?? 0),
      };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT" || code === "ENOTDIR") return null;
      throw e;
    }
  }
  const s = options.lstat
    ? lstatSync(path, { throwIfNoEntry: false })
    : statSync(path, { throwIfNoEntry: false });
  if (s === undefined) return null;
  return {
    dev: s.dev,
    ino: s.ino,
    size: s.size,
    mtimeMs: s.mtimeMs,
    ctimeMs: s.ctimeMs,
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    mode: s.mode,
    type: fileTypeOf(s.mode),
  };
}

/**
 * Whether `path` (followed) is now a regular file (or, with `directory`, a directory) whose
 * device, inode, size, mtime in whole ms and ctime in whole seconds are exactly `fields`
 * (`[dev, ino, size, mtimeMs, ctimeS]`). The hit path's per-input check: it reads the
 * runtime's stat object directly, building nothing. Any failure is simply `false`.
 *
 * @example
 * ```ts
 * import { statMatches } from "./fast_stat.ts";
 * statMatches("/etc/hostname", [0, 0, 0, 0, 0], { directory: false }); // false
 * ```
 */
export function statMatches(
  path: string | Buffer,
  fields: readonly [number, number, number, number, number],
  options: { readonly directory: boolean },
): boolean {
  try {
    if (deno !== undefined && typeof path === "string") {
      const s = deno.statSync(path);
      return s.size === fields[2] && s.ino === fields[1] && s.dev === fields[0] &&
        Math.floor(s.mtime?.getTime() ?? -1) === fields[3] &&
        Math.floor((s.ctime?.getTime() ?? -1) / 1000) === fields[4] &&
        (options.directory ? s.isDirectory : s.isFile);
    }
    const s = statSync(path, { throwIfNoEntry: false });
    return s !== undefined && s.size === fields[2] && s.ino === fields[1] &&
      s.dev === fields[0] && Math.floor(s.mtimeMs) === fields[3] &&
      Math.floor(s.ctimeMs / 1000) === fields[4] &&
      (options.directory ? s.isDirectory() : s.isFile());
  } catch {
    return false;
  }
}

/**
 * Whether `path` now has exactly this `st_mode` (type and permission bits), through `stat`
 * or, with `lstat`, without following a final symlink. The hit path's check of a `meta`
 * input: one stat, building nothing. Any failure is simply `false`.
 *
 * @example
 * ```ts
 * import { modeMatches } from "./fast_stat.ts";
 * modeMatches("/", 0o040755, { lstat: false }); // true on most systems
 * ```
 */
export function modeMatches(
  path: string | Buffer,
  mode: number,
  options: { readonly lstat: boolean },
): boolean {
  try {
    if (deno !== undefined && typeof path === "string") {
      return (options.lstat ? deno.lstatSync(path) : deno.statSync(path)).mode === mode;
    }
    const s = options.lstat
      ? lstatSync(path, { throwIfNoEntry: false })
      : statSync(path, { throwIfNoEntry: false });
    return s !== undefined && s.mode === mode;
  } catch {
    return false;
  }
}

/**
 * The target of the symlink at `path`, byte-exact; `null` when nothing is there (ENOENT,
 * ENOTDIR). Other errors are thrown with their `code` (EINVAL: not a symlink). Deno cannot
 * return a target that is not valid UTF-8 and throws for it (never a lossy result).
 *
 * @example
 * ```ts
 * import { readLinkBytes } from "./fast_stat.ts";
 * readLinkBytes("/proc/self/cwd")?.length;
 * ```
 */
export function readLinkBytes(path: string | Buffer): Buffer | null {
  try {
    return Buffer.from(readlinkSync(path, { encoding: "buffer" }));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw e;
  }
}

/**
 * Why `lstat` finds nothing at `path`: `ENOENT` (the last component is missing) or
 * `ENOTDIR` (a component on the way is not a directory); `null` when something is there.
 * Other errors are thrown with their `code`.
 *
 * @example
 * ```ts
 * import { missingErrno } from "./fast_stat.ts";
 * missingErrno("/etc/hostname/x"); // "ENOTDIR"
 * missingErrno("/nonexistent"); // "ENOENT"
 * ```
 */
export function missingErrno(path: string | Buffer): "ENOENT" | "ENOTDIR" | null {
  try {
    if (deno !== undefined && typeof path === "string") {
      deno.lstatSync(path);
      return null;
    }
    // ENOENT without an exception (a hit checks many absent paths); ENOTDIR still throws.
    return lstatSync(path, { throwIfNoEntry: false }) === undefined ? "ENOENT" : null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return code;
    throw e;
  }
}
