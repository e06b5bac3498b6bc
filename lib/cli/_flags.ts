/**
 * A strict parser for casher's own flags (everything before `--`). It does what
 * `node:util`'s `parseArgs` did for casher, with the same rules, and exists because loading
 * `node:util` costs about 0.6 ms of process start under Bun: a tenth of a cache hit.
 *
 * - `--name value` and `--name=value` for string flags; `--name` for booleans, which take
 *   no value (`--force=1` is an error);
 * - single-letter booleans, alone or bundled (`-v`, `-vv`, `-vq`);
 * - `multiple` flags collect every occurrence; other flags keep the last;
 * - anything else starting with `-` is an unknown option; the rest are positionals.
 *
 * @module
 */

/** One flag's definition. */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
}

/** Parsed values: strings or booleans, arrays for `multiple` flags. */
export type FlagValues<T extends Record<string, FlagSpec>> = {
  -readonly [K in keyof T]?: T[K]["multiple"] extends true
    ? (T[K]["type"] extends "string" ? string[] : boolean[])
    : (T[K]["type"] extends "string" ? string : boolean);
};

/**
 * Parses `args` against `specs`. Throws an `Error` whose message names the bad flag.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./_flags.ts";
 * const specs = { env: { type: "string", multiple: true }, verbose: { type: "boolean", short: "v" } } as const;
 * const r = parseFlags(["--env", "CC", "-v", "stats"], specs);
 * // r.values: { env: ["CC"], verbose: true }; r.positionals: ["stats"]
 * ```
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  args: readonly string[],
  specs: T,
): { values: FlagValues<T>; positionals: string[] } {
  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);
  const set = (name: string, value: string | boolean) => {
    if (specs[name].multiple) ((values[name] ??= []) as (string | boolean)[]).push(value);
    else values[name] = value;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
      if (spec === undefined) throw new Error(`Unknown option '--${name}'`);
      if (spec.type === "boolean") {
        if (eq >= 0) throw new Error(`Option '--${name}' does not take an argument`);
        set(name, true);
      } else if (eq >= 0) set(name, arg.slice(eq + 1));
      else {
        const value = args[i + 1];
        if (value === undefined || (value.startsWith("-") && value !== "-")) {
          throw new Error(`Option '--${name} <value>' argument missing`);
        }
        set(name, value);
        i++;
      }
    } else if (arg.startsWith("-") && arg !== "-") {
      for (const letter of arg.slice(1)) {
        const name = byShort.get(letter);
        if (name === undefined) throw new Error(`Unknown option '-${letter}'`);
        if (specs[name].type !== "boolean") {
          throw new Error(`Option '-${letter}' needs a value: use --${name} <value>`);
        }
        set(name, true);
      }
    } else positionals.push(arg);
  }
  return { values: values as FlagValues<T>, positionals };
}
