/**
 * Parsing of casher's command line into a validated {@link CliRequest}.
 *
 * `casher [flags] -- <cmd> [args...]` runs a command through the cache;
 * `casher <subcommand> [flags] [-- <cmd>...]` manages it.
 *
 * @module
 */
import { type FlagValues, parseFlags } from "./_flags.ts";
import { CasherError } from "../errors/casher_error.ts";
import type { CommandOptions } from "../command/run_command.ts";
import { parseBytes, parseDuration } from "../config/units.ts";
import type { Verbosity } from "./log_sink.ts";

/** Subcommands besides running a command. */
export const SUBCOMMANDS = ["stats", "ls", "why", "rm", "gc", "verify", "clear"] as const;

/** A subcommand name. */
export type Subcommand = typeof SUBCOMMANDS[number];

/** Flags shared by every mode, already validated. */
export interface CommonFlags {
  readonly cacheDir: string | null;
  readonly maxCacheBytes: number | null;
  readonly verbosity: Verbosity;
  readonly json: boolean;
}

/** Flags that shape a command's key and run (the command face's own option types). */
export type RunFlags = Pick<
  CommandOptions,
  | "envAllow"
  | "inputs"
  | "outputs"
  | "outputRoots"
  | "ttlMs"
  | "force"
  | "store"
  | "cacheFailures"
  | "replayOutputs"
  | "traceMode"
>;

/** What the user asked for. */
export type CliRequest =
  | { readonly kind: "help" }
  | { readonly kind: "version" }
  | {
    readonly kind: "run";
    readonly argv: string[];
    readonly common: CommonFlags;
    readonly run: RunFlags;
  }
  | {
    readonly kind: "why";
    readonly argv: string[];
    readonly common: CommonFlags;
    readonly run: RunFlags;
  }
  | {
    readonly kind: "rm";
    readonly keys: string[];
    readonly cmdPrefix: string | null;
    readonly olderThanMs: number | null;
    readonly common: CommonFlags;
  }
  | { readonly kind: "stats" | "ls" | "gc" | "verify" | "clear"; readonly common: CommonFlags };

const OPTIONS = {
  "cache-dir": { type: "string" },
  "max-cache-bytes": { type: "string" },
  env: { type: "string", multiple: true },
  input: { type: "string", multiple: true },
  output: { type: "string", multiple: true },
  "output-root": { type: "string", multiple: true },
  ttl: { type: "string" },
  force: { type: "boolean" },
  "no-store": { type: "boolean" },
  "cache-failures": { type: "boolean" },
  "replay-outputs": { type: "string" },
  "fast-trace": { type: "boolean" },
  verbose: { type: "boolean", short: "v", multiple: true },
  quiet: { type: "boolean", short: "q" },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  cmd: { type: "string" },
  "older-than": { type: "string" },
} as const;

const RUN_ONLY = [
  "env",
  "input",
  "output",
  "output-root",
  "ttl",
  "force",
  "no-store",
  "cache-failures",
  "replay-outputs",
  "fast-trace",
];

/**
 * Parses `args` (without the program name). Throws `CasherError("usage")` on a bad flag or value.
 *
 * @example
 * ```ts
 * import { parseCli } from "./args.ts";
 * const req = parseCli(["--env", "CC", "--", "make", "-j2"], { env: {} });
 * req.kind; // "run"
 * ```
 */
export function parseCli(
  args: readonly string[],
  context: { env: Record<string, string | undefined> },
): CliRequest {
  const dash = args.indexOf("--");
  const head = dash === -1 ? [...args] : args.slice(0, dash);
  const command = dash === -1 ? [] : args.slice(dash + 1);
  let parsed;
  try {
    parsed = parseFlags(head, OPTIONS);
  } catch (e) {
    throw usage((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return { kind: "help" };
  if (v.version) return { kind: "version" };
  const sub = positionals[0];
  if (sub !== undefined && !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw usage(
      `unknown subcommand "${sub}"; to cache a command put it after --: casher -- ${
        positionals.join(" ")
      }`,
    );
  }
  const common: CommonFlags = {
    cacheDir: v["cache-dir"] ?? null,
    maxCacheBytes: v["max-cache-bytes"] === undefined
      ? null
      : bytes(v["max-cache-bytes"], "--max-cache-bytes"),
    verbosity: v.quiet
      ? "quiet"
      : (v.verbose?.length ?? 0) >= 2
      ? "debug"
      : v.verbose?.length
      ? "verbose"
      : "normal",
    json: v.json ?? false,
  };
  const kind = (sub ?? "run") as Subcommand | "run";
  if (kind !== "run" && kind !== "why") {
    const stray = RUN_ONLY.find((name) => v[name as keyof typeof v] !== undefined);
    if (stray) throw usage(`--${stray} applies only when running a command (casher -- <cmd>)`);
  }
  if (v.json && kind !== "stats" && kind !== "ls") throw usage("--json applies to stats and ls");
  if ((v.cmd !== undefined || v["older-than"] !== undefined) && kind !== "rm") {
    throw usage("--cmd and --older-than apply to rm");
  }
  if (kind === "run" || kind === "why") {
    if (positionals.length > (kind === "why" ? 1 : 0)) {
      throw usage(`unexpected "${positionals.at(-1)}" before --`);
    }
    if (command.length === 0) {
      throw usage(kind === "why" ? "why needs a command: casher why -- <cmd>" : "no command given");
    }
    return { kind, argv: command, common, run: runFlags(v, context.env) };
  }
  if (command.length > 0) throw usage(`${kind} takes no command after --`);
  if (kind === "rm") {
    const keys = positionals.slice(1);
    if (keys.length === 0 && v.cmd === undefined && v["older-than"] === undefined) {
      throw usage("rm needs a key, --cmd PREFIX or --older-than DURATION");
    }
    return {
      kind,
      keys,
      cmdPrefix: v.cmd ?? null,
      olderThanMs: v["older-than"] === undefined ? null : duration(v["older-than"], "--older-than"),
      common,
    };
  }
  if (positionals.length > 1) throw usage(`${kind} takes no arguments`);
  return { kind, common };
}

type Values = FlagValues<typeof OPTIONS>;

function runFlags(v: Values, env: Record<string, string | undefined>): RunFlags {
  const replay = v["replay-outputs"] ?? "always";
  if (replay !== "always" && replay !== "if-missing" && replay !== "never") {
    throw usage(`--replay-outputs must be always, if-missing or never, not "${replay}"`);
  }
  const fromEnv = (env.CASHER_ENV ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const names = [...new Set([...(v.env ?? []), ...fromEnv])];
  const badName = names.find((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n));
  if (badName !== undefined) throw usage(`--env expects a variable name, not "${badName}"`);
  return {
    envAllow: names,
    inputs: v.input ?? [],
    outputs: v.output ?? [],
    outputRoots: v["output-root"] ?? [],
    ttlMs: v.ttl === undefined ? null : duration(v.ttl, "--ttl"),
    force: v.force ?? false,
    store: !(v["no-store"] ?? false),
    cacheFailures: v["cache-failures"] ?? false,
    replayOutputs: replay,
    traceMode: v["fast-trace"] ? "fast" : "full",
  };
}

function bytes(text: string, flag: string): number {
  try {
    return parseBytes(text, flag);
  } catch (e) {
    throw usage((e as Error).message);
  }
}

function duration(text: string, flag: string): number {
  try {
    return parseDuration(text, flag);
  } catch (e) {
    throw usage((e as Error).message);
  }
}

function usage(message: string): CasherError {
  return new CasherError("usage", message);
}
