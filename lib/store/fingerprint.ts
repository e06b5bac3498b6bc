/**
 * Stat fingerprints for the digest memo, and the racy-timestamp rule.
 *
 * A fingerprint is `dev:ino:size:mtime_ms:ctime_s`. Times are normalized to what every
 * runtime reports exactly: Deno's `node:fs` gives mtime to the millisecond and ctime to the
 * second, Bun gives nanoseconds; truncating both makes one cache directory agree across
 * runtimes. The coarser times are safe because of the racy rule: a file whose mtime or
 * ctime is within {@link RACY_MS} of "now" is never trusted to (or written into) the memo,
 * so any later change necessarily moves the truncated time.
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import { type FastStat, fastStat, type PreciseStat } from "../runtime/mod.ts";
import { type BytePath, fsPath } from "../path/byte_path.ts";
import type { InputStat } from "./types.ts";

/**
 * A file changed less than this long ago (ms) is hashed and not memoized.
 *
 * @example
 * ```ts
 * import { RACY_MS } from "./fingerprint.ts";
 * console.log(RACY_MS); // 2000
 * ```
 */
export const RACY_MS = 2_000;

/**
 * The stat fields the memo keys on, plus what the caller needs to decide.
 *
 * @example
 * ```ts
 * const r = statPath("/etc/hostname");
 * if (r.kind === "found") console.log(r.info.fp, r.info.changedMs);
 * ```
 */
export interface StatInfo {
  readonly fp: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  /** The whole `st_mode` (type and permission bits). */
  readonly mode: number;
  /** Latest possible change time in ms (ctime rounded up to the end of its second). */
  readonly changedMs: number;
}

/**
 * What a stat call found.
 *
 * @example
 * ```ts
 * const r: StatResult = statPath("/nope"); // { kind: "missing" }
 * ```
 */
export type StatResult =
  | { readonly kind: "found"; readonly info: StatInfo }
  | { readonly kind: "missing" }
  | { readonly kind: "error"; readonly reason: string };

// deno-lint-ignore no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The argument to pass to node:fs for a byte path (a plain string when it is ASCII).
 *
 * @example
 * ```ts
 * import { fsArg } from "./fingerprint.ts";
 * fsArg("/tmp/a"); // "/tmp/a" (ASCII stays a string)
 * fsArg("/tmp/\xff"); // a Buffer holding the raw bytes
 * ```
 */
export function fsArg(p: BytePath): string | Buffer {
  return NON_ASCII.test(p) ? fsPath(p) : p;
}

/**
 * Stats `path` (following symlinks unless `opts.lstat`) and builds its fingerprint.
 * ENOENT and ENOTDIR are `missing`; any other failure is `error`.
 *
 * @example
 * ```ts
 * import { statPath } from "./fingerprint.ts";
 * const r = statPath("/etc/hostname");
 * if (r.kind === "found") console.log(r.info.fp);
 * ```
 */
export function statPath(path: BytePath, opts: { lstat?: boolean } = {}): StatResult {
  // The fingerprint keeps ms and s only; the runtime's cheapest stat is enough for that.
  let st: FastStat | null;
  try {
    st = fastStat(fsArg(path), { lstat: opts.lstat });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    return { kind: "error", reason: code ?? String(e) };
  }
  if (st === null) return { kind: "missing" };
  const mtimeMs = Math.floor(st.mtimeMs);
  const ctimeS = Math.floor(st.ctimeMs / 1000);
  const changedMs = Math.max(mtimeMs, ctimeS * 1000 + 999);
  return {
    kind: "found",
    info: {
      fp: fingerprintOf({ dev: st.dev, ino: st.ino, size: st.size, mtimeMs, ctimeS }),
      isFile: st.isFile,
      isDirectory: st.isDirectory,
      mode: st.mode,
      changedMs,
    },
  };
}

/**
 * The fingerprint string of stat fields already cut to the memo's precision (mtime in whole
 * ms, ctime in whole seconds).
 *
 * @example
 * ```ts
 * import { fingerprintOf } from "./fingerprint.ts";
 * fingerprintOf({ dev: 2049, ino: 12, size: 3, mtimeMs: 1700000000123, ctimeS: 1700000000 });
 * // "2049:12:3:1700000000123:1700000000"
 * ```
 */
export function fingerprintOf(
  f: { dev: number; ino: number; size: number; mtimeMs: number; ctimeS: number },
): string {
  return `${f.dev}:${f.ino}:${f.size}:${f.mtimeMs}:${f.ctimeS}`;
}

/**
 * The fingerprint of recorded stat fields (an input's `stat`): the memo's key for them.
 *
 * @example
 * ```ts
 * import { statFingerprint } from "./fingerprint.ts";
 * statFingerprint([2049, 12, 3, 1700000000123, 1700000000]); // "2049:12:3:1700000000123:1700000000"
 * ```
 */
export function statFingerprint(stat: InputStat): string {
  const [dev, ino, size, mtimeMs, ctimeS] = stat;
  return fingerprintOf({ dev, ino, size, mtimeMs, ctimeS });
}

/**
 * The fingerprint fields of a nanosecond stamp (the one a digest was vouched for with), and
 * when the object last changed (ms), for the racy rule.
 *
 * @example
 * ```ts
 * import { stampFingerprint } from "./fingerprint.ts";
 * // const { stat, changedMs } = stampFingerprint(preciseStat({ path })!);
 * ```
 */
export function stampFingerprint(
  st: Pick<PreciseStat, "dev" | "ino" | "size" | "mtimeNs" | "ctimeNs">,
): { stat: InputStat; changedMs: number } {
  const mtimeMs = Number(st.mtimeNs / 1_000_000n);
  const ctimeS = Number(st.ctimeNs / 1_000_000_000n);
  return {
    stat: [Number(st.dev), Number(st.ino), Number(st.size), mtimeMs, ctimeS],
    changedMs: Math.max(mtimeMs, ctimeS * 1000 + 999),
  };
}

/**
 * Whether a recorded stat fingerprint was taken before `settled` (now minus
 * {@link RACY_MS}): its mtime and its ctime's whole second both are, so a change made
 * within the same clock tick cannot hide behind it. Only then may a matching `stat` stand
 * for unchanged content.
 *
 * @example
 * ```ts
 * import { RACY_MS, settledBefore } from "./fingerprint.ts";
 * settledBefore([0, 0, 0, 5_000, 5], Date.now() - RACY_MS); // true
 * ```
 */
export function settledBefore(stat: InputStat, settled: number): boolean {
  return stat[3] <= settled && stat[4] * 1000 + 999 <= settled;
}

/**
 * True when a file changed too recently (relative to `now`) to trust its fingerprint.
 *
 * @example
 * ```ts
 * import { isRacy } from "./fingerprint.ts";
 * isRacy({ changedMs: 10_000 }, 11_000); // true
 * ```
 */
export function isRacy(info: Pick<StatInfo, "changedMs">, now: number): boolean {
  return info.changedMs > now - RACY_MS;
}
