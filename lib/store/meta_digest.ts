/**
 * `meta` inputs: what a probe that did not read content saw (`test -d`, `test -x`,
 * `lstat`, `readlink`, `chdir`...). The digest is a small self-describing string,
 * validated by one `stat`/`lstat`/`readlink`, never by hashing:
 *
 * - `s:<type>:<mode>`: `stat` (following symlinks) shows this type and permission bits
 *   (`mode & 0o7777`, octal);
 * - `l:<type>:<mode>`: the same with `lstat` (the final symlink not followed);
 * - `r:<hex>`: `readlink` returns exactly these target bytes.
 *
 * Types are `reg`, `dir`, `lnk`, `chr`, `blk`, `fifo`, `sock`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { BytePath } from "../path/byte_path.ts";
import { fastStat, fileTypeOf, readLinkBytes } from "../runtime/mod.ts";
import { fsArg } from "./fingerprint.ts";

/** Which probe a `meta` digest describes. */
export type MetaProbe = "stat" | "lstat" | "readlink";

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
    let st;
    try {
      st = fastStat(fsArg(path), { lstat: probe === "lstat" });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") return { kind: "missing" };
      return { kind: "error", reason: code ?? String(e) };
    }
    return st === null
      ? { kind: "missing" }
      : { kind: "ok", digest: statMetaDigest(probe, st.mode) };
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
