/**
 * Decoding of strace `-xx` strings: every byte is printed as `\xNN`, so a quoted
 * string holds no raw quote, comma or newline and decodes to an exact byte path.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[97 + i] = 10 + i;
  HEX[65 + i] = 10 + i;
}

const CHUNK = 8192;
const scratch = new Uint16Array(CHUNK);

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
  const len = end - start;
  if (len < 0 || (len & 3) !== 0) return null;
  if (len > SHORT) return decodeLong(s, start, end);
  // Paths are short: appending one-character strings beats filling a buffer and copying it.
  let out = "";
  for (let i = start; i < end; i += 4) {
    const b = byteAt(s, i);
    if (b < 0) return null;
    out += CHARS[b];
  }
  return out;
}

/** Strings up to this many `\xNN` characters are decoded by appending. */
const SHORT = 4 * 256;
const CHARS = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));

/** The byte printed as `\xNN` at `i`, or -1. */
function byteAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 92 || s.charCodeAt(i + 1) !== 120) return -1;
  const a = s.charCodeAt(i + 2);
  const b = s.charCodeAt(i + 3);
  const hi = a < 128 ? HEX[a] : -1;
  const lo = b < 128 ? HEX[b] : -1;
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

function decodeLong(s: string, start: number, end: number): BytePath | null {
  let out = "";
  let k = 0;
  for (let i = start; i < end; i += 4) {
    const b = byteAt(s, i);
    if (b < 0) return null;
    scratch[k++] = b;
    if (k === CHUNK) {
      out += String.fromCharCode.apply(null, scratch as unknown as number[]);
      k = 0;
    }
  }
  if (k > 0) out += String.fromCharCode.apply(null, scratch.subarray(0, k) as unknown as number[]);
  return out;
}

/** A decoded quoted string argument. */
export type QuotedString =
  | { readonly kind: "ok"; readonly value: BytePath }
  | { readonly kind: "truncated"; readonly value: BytePath }
  | { readonly kind: "invalid" };

/**
 * Decodes one printed string argument such as `"\x2f\x74"` (optionally followed by
 * `...` when strace cut it at `-s`).
 *
 * @example
 * ```ts
 * import { decodeQuoted } from "./hex.ts";
 * decodeQuoted('"\\x2f\\x74"'); // { kind: "ok", value: "/t" }
 * ```
 */
export function decodeQuoted(arg: string): QuotedString {
  if (arg.charCodeAt(0) !== 34) return { kind: "invalid" };
  const close = arg.indexOf('"', 1);
  if (close < 0) return { kind: "invalid" };
  const value = decodeHexRange(arg, 1, { end: close });
  if (value === null) return { kind: "invalid" };
  if (close === arg.length - 1) return { kind: "ok", value };
  if (arg.slice(close + 1) === "...") return { kind: "truncated", value };
  return { kind: "invalid" };
}
