/**
 * While a traced command runs, signals sent to casher (a `kill`, a `timeout` wrapper, a
 * closed terminal) go to the command, as if casher were not there. strace itself ignores
 * fatal signals while it traces a program it started, and casher exiting would leave the
 * command running unobserved; so casher forwards them to the traced command (strace's
 * child) and then ends the way the command ends.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { ignoredAtStart } from "../trace/ignored_signals.ts";

const FORWARDED: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"];

/**
 * Forwards fatal signals to the children of `tracerPid` until the returned function is
 * called.
 *
 * @example
 * ```ts ignore
 * const stop = forwardSignals(child.pid!);
 * try { await run.done; } finally { stop(); }
 * ```
 */
export function forwardSignals(tracerPid: number): () => void {
  // A signal casher was started with ignored (nohup) stays ignored: the command ignores it
  // too (see ignored_signals.ts), and casher swallows it. Listening is needed all the same:
  // Deno installs its handlers for HUP, INT and TERM together, ending the ignore.
  const ignored = ignoredAtStart();
  const handler = (signal: NodeJS.Signals) => {
    if (ignored.includes(signal)) return;
    for (const pid of childrenOf(tracerPid)) {
      try {
        process.kill(pid, signal);
      } catch { /* already gone */ }
    }
  };
  for (const s of FORWARDED) process.on(s, handler);
  return () => {
    for (const s of FORWARDED) process.off(s, handler);
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ")
      .filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
