/**
 * Shared setup of the `cached()` tests (Deno and Bun): a temp dir with a cache dir inside,
 * fresh process-wide state, captured LogTape records, and helpers that count calls and
 * collect what a call printed (live or replayed) through an outer tracked run.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configure as configureLogs, type LogRecord } from "@logtape/logtape";
import { resetConfig } from "../../lib/config/mod.ts";
import { resetCached } from "../../lib/function/cached.ts";
import { runTracked } from "../../lib/function/io_tracker.ts";

/** LogTape records of the current test. */
export const logs: LogRecord[] = [];

let logsReady: Promise<void> | null = null;

/** Rendered messages of the captured records at `level` (all levels when omitted). */
export function messages(level?: LogRecord["level"]): string[] {
  return logs.filter((r) => level === undefined || r.level === level).map((r) =>
    r.message.map((m) => typeof m === "string" ? m : String(m)).join("")
  );
}

/** A test's directories. */
export interface Dirs {
  /** A scratch directory for the test's files. */
  readonly dir: string;
  /** The cache directory (inside `dir`). */
  readonly cache: string;
}

/**
 * Runs `fn` with a fresh temp dir, cache dir and casher state; removes everything after.
 *
 * @example
 * ```ts ignore
 * test("...", () => withCache(async ({ dir, cache }) => { ... }));
 * ```
 */
export async function withCache(fn: (d: Dirs) => void | Promise<void>): Promise<void> {
  logsReady ??= configureLogs({
    reset: true,
    sinks: { mem: (r: LogRecord) => void logs.push(r) },
    loggers: [
      { category: ["casher"], lowestLevel: "debug", sinks: ["mem"] },
      { category: ["logtape", "meta"], lowestLevel: "error", sinks: ["mem"] },
    ],
  });
  await logsReady;
  logs.length = 0;
  const dir = mkdtempSync(join(tmpdir(), "casher-cached-"));
  const cache = join(dir, "cache");
  mkdirSync(cache);
  resetCached();
  resetConfig();
  try {
    await fn({ dir, cache });
  } finally {
    resetCached();
    resetConfig();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Waits past the engine's ctime slack, so files written by the test count as older than
 * the next run (an input changed within 10 ms of a run's start is never trusted).
 */
export function settle(): Promise<void> {
  return new Promise((r) => setTimeout(r, 25));
}

/** What one call printed, in order, as `"1:text"` / `"2:text"`. */
export async function printed<T>(
  call: () => Promise<T>,
): Promise<{ value: T; out: string[] }> {
  const run = await runTracked(call);
  if (run.outcome.kind === "error") throw run.outcome.error;
  const out = run.chunks.map((c) => `${c.fd}:${new TextDecoder().decode(c.bytes)}`);
  return { value: run.outcome.value, out };
}
