/**
 * Decoding of strace `-xx` strings: every byte is printed as `\xNN`, so a quoted
 * string holds no raw quote, comma or newline and decodes to an exact byte path.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { BytePath } from "../path/byte_path.ts";

/** The byte `NN` of a hex digit pair, at `(N1 << 7) | N2` (both below 128); -1 when not hex. */
const PAIR = new Int16Array(128 * 128).fill(-1);
{
  const digits = "0123456789abcdefABCDEF";
  for (const a of digits) {
    for (const b of digits) {
      PAIR[(a.charCodeAt(0) << 7) | b.charCodeAt(0)] = parseInt(a + b, 16);
    }
  }
}

/** Decoded bytes are gathered here and turned into a string in one call per chunk. */
const CHUNK = 8192;
const scratch = Buffer.alloc(CHUNK);

/**
 * Decodes `\xNN\xNN...` between `start` (inclusive) and `end` (exclusive) of `s`
 * into a byte string, or returns `null` when the text is not pure `-xx` hex.
 *
 * @example
 * ```ts
 * import { decodeHexRange } from "./hex.ts";
 * decodeHexRange("\\x2f\\x61", 0, { end: 8 }); // "/a"
 * ```
 */
export function decodeHexRange(
  s: string,
  start: number,
  { end }: { readonly end: number },
): BytePath | null {
  return decodeRange(s, start, end);
}

/**
 * {@link decodeHexRange} without the options object, for the hot path.
 *
 * @example
 * ```ts
 * import { decodeRange } from "./hex.ts";
 * decodeRange("3<\\x2f\\x61>", 2, 10); // "/a"
 * ```
 */
export function decodeRange(s: string, start: number, end: number): BytePath | null {
  const len = end - start;
  if (len === 0) return "";
  if (len < 0 || (len & 3) !== 0 || start < 0 || end > s.length) return null;
  let out = "";
  let k = 0;
  for (let i = start; i < end; i += 4) {
    if (s.charCodeAt(i) !== 92 /* \ */ || s.charCodeAt(i + 1) !== 120 /* x */) return null;
    const a = s.charCodeAt(i + 2);
    const b = s.charCodeAt(i + 3);
    const v = (a | b) < 128 ? PAIR[(a << 7) | b] : -1;
    if (v < 0) return null;
    scratch[k++] = v;
    if (k === CHUNK) {
      out += scratch.toString("latin1", 0, k);
      k = 0;
    }
  }
  return k === 0 ? out : out + scratch.toString("latin1", 0, k);
}

/** A decoded quoted string argument. */
export type QuotedString =
  | { readonly kind: "ok"; readonly value: BytePath }
  | { readonly kind: "truncated"; readonly value: BytePath }
  | { readonly kind: "invalid" };

/** Decodes the `-xx` text between `start` and `end` of a string (see {@link decodeHexRange}). */
export type HexDecoder = (s: string, start: number, end: number) => BytePath | null;

const INVALID: QuotedString = { kind: "invalid" };

/**
 * Decodes one printed string argument such as `"\x2f\x74"` (optionally followed by
 * `...` when strace cut it at `-s`); `decode` may be a memoizing decoder (hex_memo.ts).
 *
 * @example
 * ```ts
 * import { decodeQuoted } from "./hex.ts";
 * decodeQuoted('"\\x2f\\x74"'); // { kind: "ok", value: "/t" }
 * ```
 */
export function decodeQuoted(
  arg: string,
  opts: { readonly decode?: HexDecoder } = {},
): QuotedString {
  if (arg.charCodeAt(0) !== 34) return INVALID;
  const close = arg.indexOf('"', 1);
  if (close < 0) return INVALID;
  const value = (opts.decode ?? decodeRange)(arg, 1, close);
  if (value === null) return INVALID;
  const n = arg.length;
  if (close === n - 1) return { kind: "ok", value };
  if (
    close === n - 4 && arg.charCodeAt(n - 1) === 46 && arg.charCodeAt(n - 2) === 46 &&
    arg.charCodeAt(n - 3) === 46
  ) return { kind: "truncated", value };
  return INVALID;
}
