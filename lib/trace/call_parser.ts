/**
 * Parses the body of a complete syscall line (`args) = ret`) into its top-level
 * arguments and its decoded return value. Relies on `-xx`: quoted strings and
 * `<...>` fd annotations hold only hex escapes, so they cannot hide delimiters.
 *
 * @module
 */
import { decodeRange, type HexDecoder } from "./hex.ts";
import type { BytePath } from "../path/byte_path.ts";

/**
 * A syscall's decoded return. `fdPath` is the `-y` annotation of a returned fd (`null` when
 * there is none, or when the file was deleted: a memfd, an unlinked file).
 */
export type SyscallReturn =
  | { readonly kind: "ok"; readonly value: number; readonly fdPath: BytePath | null }
  | { readonly kind: "error"; readonly errno: string }
  /** `= ?`: no return (exit_group, or the process died inside the call). */
  | { readonly kind: "none" }
  /** `= ? ERESTART...`: interrupted; the kernel re-issues the call, which is traced again. */
  | { readonly kind: "restart" };

/** A complete syscall with raw top-level argument texts. */
export interface ParsedCall {
  readonly args: readonly string[];
  readonly ret: SyscallReturn;
}

/** The characters the argument scanner acts on (all others are skipped). */
const SPECIAL = new Uint8Array(128);
for (const c of '"</{[(}]),') SPECIAL[c.charCodeAt(0)] = 1;

/**
 * Splits `args) = ret`, returning `null` when the text is not well formed. `decode` may be
 * a memoizing decoder (hex_memo.ts) for the returned fd's path.
 *
 * @example
 * ```ts
 * import { parseCallBody } from "./call_parser.ts";
 * parseCallBody('"\\x2f", 0) = -1 ENOENT (No such file or directory)');
 * // { args: ['"\\x2f"', "0"], ret: { kind: "error", errno: "ENOENT" } }
 * ```
 */
export function parseCallBody(
  body: string,
  opts: { readonly decode?: HexDecoder } = {},
): ParsedCall | null {
  const args: string[] = [];
  const n = body.length;
  let depth = 0;
  let start = 0;
  let i = 0;
  let end = -1;
  while (i < n) {
    const c = body.charCodeAt(i);
    if (c >= 128 || SPECIAL[c] === 0) {
      i++;
      continue;
    }
    if (c === 34 /* " */) {
      const j = body.indexOf('"', i + 1);
      if (j < 0) return null;
      i = j + 1;
    } else if (c === 60 /* < */) {
      const j = body.indexOf(">", i + 1);
      if (j < 0) return null;
      i = j + 1;
    } else if (c === 44 /* , */) {
      if (depth === 0) {
        args.push(body.slice(start, i));
        start = body.charCodeAt(i + 1) === 32 ? i + 2 : i + 1;
      }
      i++;
    } else if (c === 41 /* ) */) {
      if (depth === 0) {
        end = i;
        break;
      }
      depth--;
      i++;
    } else if (c === 47 /* / */) {
      if (body.charCodeAt(i + 1) === 42 /* * */) {
        const j = body.indexOf("*/", i + 2);
        if (j < 0) return null;
        i = j + 2;
      } else i++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (--depth < 0) return null;
      i++;
    } else { // { [ (
      depth++;
      i++;
    }
  }
  if (end < 0) return null;
  if (end > start || args.length > 0) args.push(body.slice(start, end));
  const ret = parseReturn(body, end + 1, opts.decode ?? decodeRange);
  return ret === null ? null : { args, ret };
}

const NONE: SyscallReturn = { kind: "none" };
const RESTART: SyscallReturn = { kind: "restart" };

function parseReturn(body: string, from: number, decode: HexDecoder): SyscallReturn | null {
  let i = from;
  const n = body.length;
  while (i < n && body.charCodeAt(i) === 32) i++;
  if (body.charCodeAt(i) !== 61 /* = */ || body.charCodeAt(i + 1) !== 32) return null;
  i += 2;
  const c = body.charCodeAt(i);
  if (c === 63 /* ? */) return body.startsWith(" ERESTART", i + 1) ? RESTART : NONE;
  if (c === 45 /* - */) {
    if (!body.startsWith("-1 ", i)) return null;
    const s = i + 3;
    let e = s;
    while (e < n && body.charCodeAt(e) !== 32) e++;
    return e > s ? { kind: "error", errno: body.slice(s, e) } : null;
  }
  let e = i;
  let digits = 0; // the value of a plain decimal number (most returns), else -1
  while (e < n) {
    const d = body.charCodeAt(e);
    if (d === 32 || d === 60) break;
    if (digits >= 0) digits = d >= 48 && d <= 57 && e - i < 15 ? digits * 10 + (d - 48) : -1;
    e++;
  }
  if (e === i) return null;
  const value = digits >= 0 ? digits : Number(body.slice(i, e));
  if (!Number.isFinite(value)) return null;
  let fdPath: BytePath | null = null;
  if (body.charCodeAt(e) === 60 /* < */) {
    const close = body.indexOf(">", e + 1);
    if (close < 0) return null;
    // `</path>(deleted)`: the fd's file has no name any more (a memfd, an unlinked file).
    fdPath = body.startsWith("(deleted)", close + 1) ? null : decode(body, e + 1, close);
  }
  return { kind: "ok", value, fdPath };
}
