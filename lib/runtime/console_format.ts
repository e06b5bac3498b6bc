/**
 * Renders `console.*` arguments into the text this runtime's console prints, without colours, so a
 * caller can produce a console line once and both print and record exactly those bytes.
 *
 * - Deno: Deno's own console formatter (`inspectArgs`, reached through `Deno[Deno.internal]`),
 *   used only after a check that it behaves as expected: byte for byte what `console.log` prints
 *   to a pipe or file.
 * - Bun: its console is native and exposes no formatter, so this is an emulation on top of
 *   `Bun.inspect` (see bun_console_format.ts); it matches Bun's output except where Bun lays a
 *   value out by how long the line already is.
 * - Otherwise (Node, or a Deno whose internals changed): `node:util`, which is what Node's
 *   console itself uses.
 *
 * @module
 */
import { formatWithOptions, inspect } from "node:util";
import { bunConsoleFormat } from "./bun_console_format.ts";

/** How console arguments become text. Every result excludes the trailing newline. */
export interface ConsoleFormat {
  /** What `console.log/info/debug/warn/error(...args)` prints. */
  line(args: readonly unknown[]): string;
  /** What `console.dir(...args)` prints, or `undefined` when it prints nothing. */
  dir(args: readonly unknown[]): string | undefined;
  /** What a failing `console.assert(condition, ...args)` prints, given `args`. */
  assertion(args: readonly unknown[]): string;
  /** True when console output is indented by a `console.group()` this formatter cannot apply. */
  indented(): boolean;
  /** `native`: the runtime's own formatter; `emulated`: casher's copy of it; `node`: node:util. */
  readonly kind: "native" | "emulated" | "node";
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** The chosen formatter, picked on first use ({@link resetConsoleFormat} forgets it). */
const chosen: { format?: ConsoleFormat } = {};

/**
 * This runtime's console formatter (picked once, on first use).
 *
 * @example
 * ```ts
 * import { consoleFormat } from "./console_format.ts";
 * consoleFormat().line(["%d%% done", 100, { s: "x" }]); // '100% done { s: "x" }' under Deno
 * ```
 */
export function consoleFormat(): ConsoleFormat {
  return chosen.format ??= denoConsoleFormat() ?? bunConsoleFormat(g.Bun) ?? nodeConsoleFormat();
}

type InspectArgs = (args: readonly unknown[], options: object) => string;

/** Deno's own formatter, or `undefined` when it is not reachable or does not behave as known. */
function denoConsoleFormat(): ConsoleFormat | undefined {
  const D = g.Deno;
  let inspectArgs: InspectArgs | undefined;
  try {
    inspectArgs = D?.[D.internal]?.inspectArgs;
  } catch {
    return undefined;
  }
  if (typeof inspectArgs !== "function") return undefined;
  const text: InspectArgs = (args, options) =>
    inspectArgs([...args], { colors: false, ...options });
  try {
    if (text(["%d%% %s", 1, "a", { s: "x" }], {}) !== '1% a { s: "x" }') return undefined;
  } catch {
    return undefined;
  }
  return {
    kind: "native",
    line: (args) => text(args, {}),
    // Deno's console.dir spreads the options over its own, so `colors: true` is honoured.
    dir: (args) => text([args[0]], isObject(args[1]) ? args[1] : {}),
    assertion(args) {
      if (args.length === 0) return "Assertion failed";
      const [first, ...rest] = args;
      if (typeof first === "string") return text([`Assertion failed: ${first}`, ...rest], {});
      return text(["Assertion failed:", ...args], {});
    },
    indented: () => typeof g.console?.indentLevel === "number" && g.console.indentLevel > 0,
  };
}

/** Node's console rendering (`node:util`), the fallback everywhere else. */
function nodeConsoleFormat(): ConsoleFormat {
  const line = (args: readonly unknown[]) => formatWithOptions({ colors: false }, ...args);
  return {
    kind: "node",
    line,
    dir: (args) =>
      inspect(args[0], {
        customInspect: false,
        colors: false,
        ...(isObject(args[1]) ? args[1] : {}),
      }),
    assertion: (args) =>
      args.length === 0
        ? "Assertion failed"
        : line([`Assertion failed: ${args[0]}`, ...args.slice(1)]),
    indented: () => false,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

/**
 * Forgets the chosen formatter, so the next {@link consoleFormat} picks again (tests).
 *
 * @example
 * ```ts
 * import { resetConsoleFormat } from "./console_format.ts";
 * resetConsoleFormat();
 * ```
 */
export function resetConsoleFormat(): void {
  chosen.format = undefined;
}
