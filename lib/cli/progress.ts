/**
 * The CLI's store progress bar: drawn on stderr only when it is a terminal and a store has
 * taken more than a second, and erased when the store ends, so pipes and logs never see it.
 *
 * @module
 */
import { writeSync } from "node:fs";
import { isTerminal } from "../runtime/mod.ts";
import type { StoreProgress } from "../engine/types.ts";
import { bar, formatBytes } from "./format.ts";

/** Delay before a bar appears. */
export const PROGRESS_DELAY_MS = 1000;

/**
 * A progress reporter factory for the engine, or `undefined` when stderr is not a TTY.
 *
 * @example
 * ```ts ignore
 * runWork(work, { ...options, progress: ttyProgress() });
 * ```
 */
export function ttyProgress(
  options: { fd?: number; now?: () => number; isTty?: boolean } = {},
): (() => StoreProgress) | undefined {
  const fd = options.fd ?? 2;
  if (!(options.isTty ?? (fd === 2 ? isTerminal(2) : false))) return undefined;
  const now = options.now ?? Date.now;
  return () => {
    const startedAt = now();
    let drawn = false;
    const write = (text: string) => {
      try {
        writeSync(fd, text);
      } catch { /* a closed terminal is not worth failing a store */ }
    };
    return {
      update(done, total) {
        if (now() - startedAt < PROGRESS_DELAY_MS || total <= 0) return;
        drawn = true;
        const pct = Math.floor((done / total) * 100);
        write(
          `\r\x1b[Kcasher: storing outputs ${bar(done / total, 24)} ${pct}% ` +
            `(${formatBytes(done)} of ${formatBytes(total)})`,
        );
      },
      end() {
        if (drawn) write("\r\x1b[K");
      },
    };
  };
}
