/**
 * Writes a recorded chunk log back to file descriptors 1 and 2, in order, synchronously
 * so the two streams interleave exactly as recorded. EPIPE on a closed reader stops the
 * replay quietly (like a command whose reader went away).
 *
 * @module
 */
import { writeSync } from "node:fs";
import type { Chunk, StreamFd } from "./chunk_log.ts";

/** Where replayed bytes go; defaults to the process's fds 1 and 2. */
export interface ReplayTarget {
  write(fd: StreamFd, bytes: Uint8Array): void;
}

/** Writes to the real fds 1 and 2, retrying partial writes and EAGAIN. */
export const processTarget: ReplayTarget = {
  write(fd, bytes) {
    let at = 0;
    while (at < bytes.byteLength) {
      try {
        at += writeSync(fd, bytes, at, bytes.byteLength - at);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") continue;
        throw e;
      }
    }
  },
};

/** How a replay ended. */
export type ReplayOutcome = { kind: "complete" } | { kind: "reader-gone"; fd: StreamFd };

/**
 * Replays chunks to `target` in order.
 *
 * @example
 * ```ts
 * import { replayChunks } from "./replay.ts";
 * replayChunks([{ fd: 1, bytes: new TextEncoder().encode("hi\n") }]);
 * ```
 */
export function replayChunks(
  chunks: readonly Chunk[],
  target: ReplayTarget = processTarget,
): ReplayOutcome {
  for (const c of chunks) {
    try {
      target.write(c.fd, c.bytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") return { kind: "reader-gone", fd: c.fd };
      throw e;
    }
  }
  return { kind: "complete" };
}
