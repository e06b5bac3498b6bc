/**
 * Runs a command without casher in the way: inherited stdio, exit code passed through.
 * Used when caching is impossible (no tracer, broken cache dir, interactive stdin, a
 * stdin too long to key). When casher already read some of stdin, the command is fed
 * those bytes first, then the rest of the stream, so its input is unchanged.
 *
 * @module
 */
import { spawn, type StdioOptions } from "node:child_process";
import { stdioWithFds } from "../runtime/mod.ts";
import { withShellFallback } from "../trace/shell_fallback.ts";
import { ignoredAtStart, keepIgnored } from "../trace/ignored_signals.ts";
import { closeSync, createReadStream, openSync } from "node:fs";
import { constants } from "node:os";
import process from "node:process";
import type { Readable } from "node:stream";

/** Where the plainly run command's stdin comes from. */
export type PlainStdin =
  | { readonly kind: "inherit" }
  /** The bytes of `path` (casher's spool of a stdin it read to its end). */
  | { readonly kind: "file"; readonly path: string }
  /** The bytes of `path`, then whatever `rest` still yields (a stdin read in part). */
  | { readonly kind: "file-then-rest"; readonly path: string; readonly rest: Readable };

/** Options of {@link runPlain}. */
export interface PlainRunOptions {
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  readonly stdin?: PlainStdin;
  /** Inherited descriptors above 2 the command gets (see `passed_fds.ts`). */
  readonly extraFds?: readonly number[];
}

/**
 * Runs `argv` and resolves with the exit code a shell would report (128+N for signal N,
 * 127 when not found, 126 when not executable). A script without `#!` runs with `/bin/sh`,
 * as `execvp` runs it (see `shell_fallback.ts`).
 *
 * @example
 * ```ts ignore
 * const code = await runPlain(["make", "-j2"], { cwd: process.cwd(), env: process.env });
 * ```
 */
export function runPlain(
  argv: readonly string[],
  options: PlainRunOptions,
): Promise<number> {
  const stdin = options.stdin ?? { kind: "inherit" };
  return new Promise((resolve) => {
    const stdinFd = stdin.kind === "inherit"
      ? "inherit"
      : stdin.kind === "file"
      ? openSync(stdin.path, "r")
      : "pipe";
    const spawned = keepIgnored(withShellFallback(argv, options), ignoredAtStart());
    const child = spawn(spawned[0], spawned.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: stdioWithFds([stdinFd, "inherit", "inherit"], options.extraFds) as StdioOptions,
    });
    if (typeof stdinFd === "number") closeSync(stdinFd);
    if (stdin.kind === "file-then-rest" && child.stdin) {
      const sink = child.stdin;
      sink.on("error", () => {/* the command stopped reading: like a closed pipe */});
      const head = createReadStream(stdin.path);
      head.on("end", () => stdin.rest.pipe(sink));
      head.pipe(sink, { end: false });
      child.on("exit", () => stdin.rest.unpipe(sink));
    }
    child.on("error", (e: NodeJS.ErrnoException) => {
      const code = e.code === "ENOENT" ? 127 : 126;
      process.stderr.write(
        `casher: ${argv[0]}: ${e.code === "ENOENT" ? "command not found" : e.message}\n`,
      );
      resolve(code);
    });
    child.on("exit", (code, signal) => resolve(exitCodeOf(code, signal)));
  });
}

/**
 * Maps a child's `(code, signal)` to a shell-style exit code.
 *
 * @example
 * ```ts
 * import { exitCodeOf } from "./run_plain.ts";
 * exitCodeOf(null, "SIGTERM"); // 143
 * ```
 */
export function exitCodeOf(code: number | null, signal: string | null): number {
  if (signal) return 128 + ((constants.signals as Record<string, number>)[signal] ?? 0);
  return code ?? 1;
}
