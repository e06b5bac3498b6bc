/**
 * Signals casher was started with ignored, kept ignored for the command.
 *
 * `nohup casher -- job` starts casher with SIGHUP ignored, and a non-interactive shell's
 * `casher -- job &` with SIGINT and SIGQUIT ignored; an ignored signal stays ignored
 * across `exec`, so without casher the job would ignore them too. But the runtimes reset
 * every signal to its default in the children they spawn, so the job would die of the
 * hangup that `nohup` was meant to shield it from. So casher spawns the command (strace,
 * which passes the disposition on to what it traces, or the plain command) through
 * `env --ignore-signal=HUP`, and does not forward those signals itself.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";

/** The signals this applies to, by number (the runtimes leave their disposition alone). */
const WATCHED: readonly [number, NodeJS.Signals][] = [
  [1, "SIGHUP"],
  [2, "SIGINT"],
  [3, "SIGQUIT"],
  [15, "SIGTERM"],
];

let atStart: readonly NodeJS.Signals[] | null = null;

/**
 * The watched signals ignored when casher started (read once, before casher installs any
 * handler of its own), from the `SigIgn` mask of `/proc/self/status`.
 *
 * @example
 * ```ts
 * import { ignoredAtStart } from "./ignored_signals.ts";
 * ignoredAtStart(); // ["SIGHUP"] under nohup, [] usually
 * ```
 */
export function ignoredAtStart(): readonly NodeJS.Signals[] {
  return atStart ??= readIgnored();
}

/**
 * Parses the `SigIgn` line of a `/proc/<pid>/status` text into the watched signals it
 * ignores.
 *
 * @example
 * ```ts
 * import { ignoredIn } from "./ignored_signals.ts";
 * ignoredIn("Name:\tsh\nSigIgn:\t0000000000000003\n"); // ["SIGHUP", "SIGINT"]
 * ```
 */
export function ignoredIn(status: string): readonly NodeJS.Signals[] {
  const m = /^SigIgn:\s*([0-9a-fA-F]+)$/m.exec(status);
  if (m === null) return [];
  const mask = BigInt(`0x${m[1]}`);
  return WATCHED.filter(([n]) => (mask >> BigInt(n - 1)) & 1n).map(([, name]) => name);
}

/**
 * `argv` wrapped so that it starts with `signals` ignored: through GNU `env
 * --ignore-signal`, which changes nothing else (a shell's `trap` would: it drops exported
 * bash functions and other variables whose names are not shell names, and resets `IFS`,
 * `OPTIND`, `PWD`). Unchanged when there are none, or when this `env` lacks the option
 * (coreutils before 9.0): the command then starts with them at their default, as before.
 *
 * @example
 * ```ts
 * import { keepIgnored } from "./ignored_signals.ts";
 * keepIgnored(["make"], ["SIGHUP"]); // ["/usr/bin/env", "--ignore-signal=HUP", "--", "make"]
 * ```
 */
export function keepIgnored(
  argv: readonly string[],
  signals: readonly NodeJS.Signals[],
): readonly string[] {
  if (signals.length === 0 || !envIgnores()) return argv;
  const names = signals.map((s) => s.slice(3)).join(",");
  return [ENV, `--ignore-signal=${names}`, "--", ...argv];
}

const ENV = "/usr/bin/env";
let envWorks: boolean | undefined;

/** Whether `env --ignore-signal` works here (probed once, only when a signal is ignored). */
function envIgnores(): boolean {
  if (envWorks !== undefined) return envWorks;
  try {
    const { spawnSync } = process.getBuiltinModule(
      "node:child_process",
    ) as typeof import("node:child_process");
    envWorks = spawnSync(ENV, ["--ignore-signal=HUP", "--", "true"], { stdio: "ignore" })
      .status === 0;
  } catch {
    envWorks = false;
  }
  return envWorks;
}

function readIgnored(): readonly NodeJS.Signals[] {
  try {
    return ignoredIn(readFileSync("/proc/self/status", "latin1"));
  } catch {
    return [];
  }
}
