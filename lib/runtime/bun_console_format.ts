/**
 * An emulation of Bun's native console formatting (Bun 1.4), built on `Bun.inspect`: Bun's
 * console is written in Zig and exposes no way to format arguments without printing them.
 *
 * What it reproduces: strings printed raw, other values as `Bun.inspect` renders them at the
 * console's depth (`--console-depth`, default 2), boxed strings as `[String: "..."]`, and Bun's
 * format specifiers: `%s %d %i %f %o %O %j %c` and `%%`, which Bun collapses only while arguments
 * remain (`console.log("%d%%", 1)` prints `1%%`). `console.dir` honours `depth` and `colors`;
 * `console.assert` prints its arguments without an `Assertion failed` prefix.
 *
 * What it does not: Bun breaks a short array over lines when the text before it on the same line
 * is long (about 80 columns); this emulation renders each value on its own. A `[console] depth`
 * set in bunfig.toml is not seen.
 *
 * @module
 */
import process from "node:process";
import type { ConsoleFormat } from "./console_format.ts";

type Inspect = (v: unknown, options: { colors: boolean; depth: number }) => string;

/** Bun's default console depth. */
const DEFAULT_DEPTH = 2;
/** Bun stores depths as u16. */
const MAX_DEPTH = 65535;

/**
 * Bun's console formatting, or `undefined` outside Bun (`B` is the `Bun` global).
 *
 * @example
 * ```ts ignore
 * import { bunConsoleFormat } from "./bun_console_format.ts";
 * bunConsoleFormat(Bun)?.line(["rate %d%%", 1]); // "rate 1%%", as Bun's console.log prints it
 * ```
 */
export function bunConsoleFormat(
  B: { readonly inspect?: unknown } | undefined,
  { execArgv = process.execArgv }: { readonly execArgv?: readonly string[] } = {},
): ConsoleFormat | undefined {
  if (typeof B?.inspect !== "function") return undefined;
  const inspect = B.inspect as Inspect;
  const depth = bunConsoleDepth(execArgv);
  const show = (v: unknown, opts: { depth: number; colors?: boolean }) =>
    typeof v === "string"
      ? v
      : isBoxedString(v)
      ? `[String: ${JSON.stringify(String(v))}]`
      : inspect(v, { colors: false, ...opts });
  const line = (args: readonly unknown[]) => bunLine(args, { show: (v) => show(v, { depth }) });
  return {
    kind: "emulated",
    line,
    dir: (args) => args.length === 0 ? undefined : show(args[0], dirOptions(args[1], { depth })),
    assertion: (args) => args.length === 0 ? "Assertion failed" : line(args),
    indented: () => false,
  };
}

/**
 * The console depth Bun was started with: `--console-depth N` (or `=N`), else 2.
 *
 * @example
 * ```ts
 * import { bunConsoleDepth } from "./bun_console_format.ts";
 * bunConsoleDepth(["--console-depth", "5"]); // 5
 * ```
 */
export function bunConsoleDepth(execArgv: readonly string[]): number {
  for (const [i, a] of execArgv.entries()) {
    const v = a === "--console-depth"
      ? execArgv[i + 1]
      : a.startsWith("--console-depth=")
      ? a.slice("--console-depth=".length)
      : undefined;
    const n = Number.parseInt(v ?? "", 10);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, MAX_DEPTH);
  }
  return DEFAULT_DEPTH;
}

/** `console.dir`'s second argument as Bun reads it: a numeric or null `depth`, a boolean `colors`. */
function dirOptions(
  options: unknown,
  { depth }: { readonly depth: number },
): { depth: number; colors?: boolean } {
  if (typeof options !== "object" || options === null) return { depth };
  const o = options as { depth?: unknown; colors?: unknown };
  const out: { depth: number; colors?: boolean } = { depth };
  if (typeof o.depth === "number" || typeof o.depth === "bigint") {
    const d = Number(o.depth);
    out.depth = Number.isNaN(d) ? 0 : Math.min(Math.max(Math.trunc(d), 0), MAX_DEPTH);
  } else if (o.depth === null) out.depth = MAX_DEPTH;
  if (typeof o.colors === "boolean") out.colors = o.colors;
  return out;
}

/**
 * `console.log`'s line: values joined by spaces; a string (or boxed string) followed by more
 * values is a format string consuming them.
 */
function bunLine(
  args: readonly unknown[],
  { show }: { readonly show: (v: unknown) => string },
): string {
  const rest = [...args];
  const parts: string[] = [];
  while (rest.length > 0) {
    const v = rest.shift();
    const formatted = (typeof v === "string" || isBoxedString(v)) && rest.length > 0;
    parts.push(formatted ? bunPrintf(String(v), { rest, show }) : show(v));
  }
  return parts.join(" ");
}

const SPECIFIERS = "sdifoOjc";

/**
 * Bun's format-string pass (`writeWithFormatting` in Bun's ConsoleObject.zig), consuming values
 * from `rest`. Scanning stops once no value is left, so a later `%%` stays as written; right after
 * a `%%` the next character is not examined.
 */
function bunPrintf(
  format: string,
  { rest, show }: { rest: unknown[]; readonly show: (v: unknown) => string },
): string {
  let out = "";
  let s = format;
  let i = 0;
  let skipNext = false;
  while (i < s.length) {
    if (s[i] !== "%" || skipNext) {
      skipNext = false;
      i++;
      continue;
    }
    if (i + 1 >= s.length || rest.length === 0) break;
    const c = s[i + 1];
    if (c === "%") {
      out += s.slice(0, i + 1);
      s = s.slice(i + 2);
      i = 0;
      skipNext = true;
      continue;
    }
    if (!SPECIFIERS.includes(c)) {
      i += 2;
      continue;
    }
    out += s.slice(0, i) + substitute(c, { value: rest.shift(), show });
    s = s.slice(i + 2);
    i = 0;
    if (rest.length === 0) break;
  }
  return out + s;
}

function substitute(
  c: string,
  { value, show }: { readonly value: unknown; readonly show: (v: unknown) => string },
): string {
  switch (c) {
    case "s":
      return isBoxedString(value) ? show(value) : `${value}`;
    case "d":
    case "i":
      return bunInteger(value);
    case "f":
      return bunFloat(value);
    case "o":
    case "O":
      return show(value);
    case "j":
      return JSON.stringify(value) ?? "";
    default: // %c: consumed, prints nothing
      return "";
  }
}

const MAX_BEFORE_E = 1e21;
const MIN_BEFORE_E = 0.000001;

/** `%d`/`%i`: parseInt of the value's number, without the string round trip (throws on BigInt). */
function bunInteger(v: unknown): string {
  if (isInt32(v)) return String(v);
  if (typeof v === "symbol") return "NaN";
  let x = +(v as number);
  if (!Number.isFinite(x)) return "NaN";
  if (x === 0) return "0";
  const sign = x < 0 ? -1n : 1n;
  x = Math.abs(x);
  if (x >= MAX_BEFORE_E) { while (x >= 10) x /= 10; }
  else if (x < MIN_BEFORE_E) { while (x < 1) x *= 10; }
  return String(BigInt(Math.floor(x)) * sign);
}

/** `%f`: the value's number (throws on BigInt, NaN for a symbol). */
function bunFloat(v: unknown): string {
  if (isInt32(v)) return String(v);
  return String(typeof v === "symbol" ? NaN : +(v as number));
}

function isInt32(v: unknown): v is number {
  return typeof v === "number" && (v | 0) === v && !Object.is(v, -0);
}

/** A `String` object (`new String("x")`), by brand check rather than `Symbol.toStringTag`. */
function isBoxedString(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  try {
    String.prototype.valueOf.call(v);
    return true;
  } catch {
    return false;
  }
}
