/**
 * A per-trace memo of `-xx` decoding. strace prints the same paths again and again
 * (the `AT_FDCWD<cwd>` of every `*at` call, an fd's `<path>` on each later use, a
 * returned fd's path right after the path argument that opened it), so most
 * decodes are lookups. Decoding is a pure function of the text: the memo changes
 * nothing but speed.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import { decodeRange } from "./hex.ts";

/** Texts up to this many characters are memoized (longer ones are decoded each time). */
const MAX_KEY = 4 * 256;
/** Texts shorter than this are cheaper to decode than to look up. */
const MIN_KEY = 4 * 4;
/** `\xNN` (lowercase, as strace prints it) of each byte. */
const ESCAPES = Array.from({ length: 256 }, (_, b) => "\\x" + b.toString(16).padStart(2, "0"));

/**
 * Memoizing `-xx` decoder; bounded (it starts over when full). It keeps texts of its own
 * (a slice of a line would keep the whole chunk it came from alive).
 *
 * @example
 * ```ts
 * import { HexMemo } from "./hex_memo.ts";
 * const memo = new HexMemo();
 * memo.decode("AT_FDCWD<\\x2f\\x74\\x6d\\x70\\x2f\\x77>", 9, { end: 33 }); // "/tmp/w"
 * ```
 */
export class HexMemo {
  readonly #map = new Map<string, BytePath>();
  readonly #maxEntries: number;
  /** The decoder as a plain function, for `decodeQuoted` (hex.ts) and friends. */
  readonly decodeRange: (s: string, start: number, end: number) => BytePath | null;

  /** `maxEntries` bounds the memo (default 4096). */
  constructor(opts: { readonly maxEntries?: number } = {}) {
    this.#maxEntries = opts.maxEntries ?? 4096;
    this.decodeRange = (s, start, end) => this.#decode(s, start, end);
  }

  /** Decodes `s` from `start` to `end` like `decodeHexRange`, memoized. */
  decode(s: string, start: number, opts: { readonly end: number }): BytePath | null {
    return this.#decode(s, start, opts.end);
  }

  #decode(s: string, start: number, end: number): BytePath | null {
    const len = end - start;
    if (len < MIN_KEY || len > MAX_KEY || start < 0 || end > s.length) {
      return decodeRange(s, start, end);
    }
    const hit = this.#map.get(s.slice(start, end));
    if (hit !== undefined) return hit;
    const v = decodeRange(s, start, end);
    if (v === null) return null;
    if (this.#map.size >= this.#maxEntries) this.#map.clear();
    this.#map.set(escaped(v), v);
    return v;
  }

  /** Forgets every memoized text. */
  clear(): void {
    this.#map.clear();
  }
}

/** `v` printed as strace `-xx` prints it: the memo key for texts that print `v`. */
function escaped(v: BytePath): string {
  const parts: string[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) parts[i] = ESCAPES[v.charCodeAt(i)];
  return parts.join("");
}
