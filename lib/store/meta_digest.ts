/**
 * `meta` inputs: what a probe that did not read content saw (`test -d`, `test -x`,
 * `lstat`, `readlink`, `chdir`...). The digest is a small self-describing string,
 * validated by one `stat`/`lstat`/`readlink`, never by hashing:
 *
 * - `s:<type>:<mode>`: `stat` (following symlinks) shows this type and permission bits
 *   (`mode & 0o7777`, octal);
 * - `l:<type>:<mode>`: the same with `lstat` (the final symlink not followed);
 * - `r:<hex>`: `readlink` returns exactly these target bytes;
 * - `x:<type>:<mode>:<ctime ms>` / `y:...`: what `getxattr`/`lgetxattr` could see (extended
 *   attributes, ACLs, capabilities): no portable call reads them, but every change of them
 *   moves the ctime, so the ctime (whole milliseconds) stands for them, with type and bits;
 * - `z:<size>`: `stat` (following symlinks) shows this size (a file the run stat'ed, then
 *   replaced whole: `test -s f; ... > f`);
 * - `n:` / `e:`: what a removal needed (`unlink`: a non-directory is there; `rmdir`: an
 *   empty directory is), for a path the run removed without looking first.
 *
 * Types are `reg`, `dir`, `lnk`, `chr`, `blk`, `fifo`, `sock`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { readdirSync } from "node:fs";
import type { BytePath } from "../path/byte_path.ts";
import { fastStat, fileTypeBits, fileTypeOf, preciseStat, readLinkBytes } from "../runtime/mod.ts";
import { fsArg } from "./fingerprint.ts";

/** Which probe a `meta` digest describes. */
export type MetaProbe =
  | "stat"
  | "lstat"
  | "readlink"
  | "xattr"
  | "lxattr"
  | "size"
  | "nondir"
  | "emptydir";

/**
 * The probe a `meta` digest was recorded for, or `null` when it is not a meta digest.
 *
 * @example
 * ```ts
 * import { metaProbeOf } from "./meta_digest.ts";
 * metaProbeOf("l:dir:755"); // "lstat"
 * ```
 */
export function metaProbeOf(digest: string): MetaProbe | null {
  if (digest.startsWith("s:")) return "stat";
  if (digest.startsWith("l:")) return "lstat";
  if (digest.startsWith("r:")) return "readlink";
  if (digest.startsWith("x:")) return "xattr";
  if (digest.startsWith("y:")) return "lxattr";
  if (digest.startsWith("z:")) return "size";
  if (digest === "n:") return "nondir";
  if (digest === "e:") return "emptydir";
  return null;
}

/**
 * The digest of a stat result: `s:`/`l:`, type, permission bits.
 *
 * @example
 * ```ts
 * import { statMetaDigest } from "./meta_digest.ts";
 * statMetaDigest("stat", 0o040755); // "s:dir:755"
 * ```
 */
export function statMetaDigest(probe: "stat" | "lstat", mode: number): string {
  return `${probe === "stat" ? "s" : "l"}:${fileTypeOf(mode)}:${(mode & 0o7777).toString(8)}`;
}

/**
 * The digest of what an xattr probe could see: `x:` (following symlinks) or `y:` (`lxattr`),
 * type, permission bits, and the ctime in whole milliseconds.
 *
 * @example
 * ```ts
 * import { xattrMetaDigest } from "./meta_digest.ts";
 * xattrMetaDigest("lxattr", { mode: 0o100644, ctimeNs: 1700000000123999999n }); // "y:reg:644:1700000000123"
 * ```
 */
export function xattrMetaDigest(
  probe: "xattr" | "lxattr",
  st: { readonly mode: number; readonly ctimeNs: bigint },
): string {
  // Whole milliseconds, from exact nanoseconds: the same in every runtime, FFI or not.
  const bits = `${fileTypeOf(st.mode)}:${(st.mode & 0o7777).toString(8)}`;
  return `${probe === "xattr" ? "x" : "y"}:${bits}:${st.ctimeNs / 1_000_000n}`;
}

/**
 * The digest of the size a stat showed: `z:` and the size in bytes.
 *
 * @example
 * ```ts
 * import { sizeMetaDigest } from "./meta_digest.ts";
 * sizeMetaDigest(12); // "z:12"
 * ```
 */
export function sizeMetaDigest(size: number): string {
  return `z:${size}`;
}

/**
 * What a removal would find at `path` now: `n:` (a non-directory), `e:` (an empty
 * directory), `d:` (a directory with entries), or `null` when nothing is there.
 */
function removableNow(path: BytePath): string | null {
  const st = fastStat(fsArg(path), { lstat: true });
  if (st === null) return null;
  if (!st.isDirectory) return "n:";
  return readdirSync(fsArg(path)).length === 0 ? "e:" : "d:";
}

/**
 * The digest of a symlink target (byte path): `r:` and the target bytes in hex.
 *
 * @example
 * ```ts
 * import { linkMetaDigest } from "./meta_digest.ts";
 * linkMetaDigest("ta"); // "r:7461"
 * ```
 */
export function linkMetaDigest(target: BytePath): string {
  return "r:" + Buffer.from(target, "latin1").toString("hex");
}

/** The `st_mode` a `s:`/`l:` digest stands for, and whether it is seen through `lstat`. */
export interface MetaMode {
  readonly lstat: boolean;
  readonly mode: number;
}

const metaModes = new Map<string, MetaMode | null>();

/**
 * The whole `st_mode` a `s:`/`l:` digest describes (type bits and permission bits: exactly
 * what the digest holds), or `null` for a `readlink` digest or a malformed one. Parsed once
 * per distinct digest: a hit compares it with one stat instead of building a digest.
 *
 * @example
 * ```ts
 * import { metaModeOf } from "./meta_digest.ts";
 * metaModeOf("l:dir:755"); // { lstat: true, mode: 0o040755 }
 * metaModeOf("r:64"); // null
 * ```
 */
export function metaModeOf(digest: string): MetaMode | null {
  let parsed = metaModes.get(digest);
  if (parsed === undefined) {
    const m = /^([sl]):([a-z]+):([0-7]{1,4})$/.exec(digest);
    const type = m === null ? null : fileTypeBits(m[2]);
    parsed = m === null || type === null
      ? null
      : { lstat: m[1] === "l", mode: type | parseInt(m[3], 8) };
    metaModes.set(digest, parsed);
  }
  return parsed;
}

/** What a path shows now for a meta probe. */
export type MetaState =
  | { readonly kind: "ok"; readonly digest: string }
  | { readonly kind: "missing" }
  | { readonly kind: "error"; readonly reason: string };

/**
 * Reads what `probe` shows for `path` now, as a meta digest. A `readlink` of something
 * that is not a symlink yields `l:<type>:<mode>`, which never equals an `r:` digest.
 *
 * @example
 * ```ts
 * import { metaNow } from "./meta_digest.ts";
 * metaNow("/", "stat"); // { kind: "ok", digest: "s:dir:755" }
 * ```
 */
export function metaNow(path: BytePath, probe: MetaProbe): MetaState {
  if (probe !== "readlink") {
    const lstat = probe === "lstat" || probe === "lxattr";
    let digest: string | null;
    try {
      if (probe === "stat" || probe === "lstat") {
        const st = fastStat(fsArg(path), { lstat });
        digest = st === null ? null : statMetaDigest(probe, st.mode);
      } else if (probe === "nondir" || probe === "emptydir") {
        digest = removableNow(path);
      } else if (probe === "size") {
        const st = fastStat(fsArg(path));
        digest = st === null ? null : sizeMetaDigest(st.size);
      } else {
        const st = preciseStat({ path: fsArg(path), lstat });
        digest = st === null ? null : xattrMetaDigest(probe, st);
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") return { kind: "missing" };
      return { kind: "error", reason: code ?? String(e) };
    }
    return digest === null ? { kind: "missing" } : { kind: "ok", digest };
  }
  try {
    const target = readLinkBytes(fsArg(path));
    if (target === null) return { kind: "missing" };
    return { kind: "ok", digest: linkMetaDigest(target.toString("latin1")) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EINVAL") return { kind: "error", reason: code ?? String(e) };
    return metaNow(path, "lstat");
  }
}
