/**
 * Runs a command without casher in the way: inherited stdio, exit code passed through.
 * Used when caching is impossible (no tracer, broken cache dir, interactive stdin).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { constants } from "node:os";
import process from "node:process";

/**
 * Runs `argv` and resolves with the exit code a shell would report (128+N for signal N,
 * 127 when not found, 126 when not executable).
 *
 * @example
 * ```ts ignore
 * const code = await runPlain(["make", "-j2"], { cwd: process.cwd(), env: process.env });
 * ```
 */
export function runPlain(
  argv: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined>; stdinFile?: string | null },
): Promise<number> {
  return new Promise((resolve) => {
    const stdinFd = options.stdinFile ? openSync(options.stdinFile, "r") : "inherit";
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: [stdinFd, "inherit", "inherit"],
    });
    if (typeof stdinFd === "number") closeSync(stdinFd);
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
