/**
 * Tees a child's stdout and stderr to casher's own fds 1 and 2 as each chunk arrives
 * (no buffering added) while recording the ordered chunk log. A reader that went away
 * (EPIPE) stops the forwarding of that stream; recording goes on.
 *
 * @module
 */
import type { Readable } from "node:stream";
import { ChunkRecorder, type StreamFd } from "../capture/chunk_log.ts";
import { processTarget, type ReplayTarget } from "../capture/replay.ts";

/**
 * Starts teeing; the promise resolves with the recorder when both streams ended.
 *
 * @example
 * ```ts ignore
 * const recorded = teeStreams({ stdout: child.stdout!, stderr: child.stderr! });
 * const chunks = (await recorded).chunks();
 * ```
 */
export function teeStreams(
  streams: { stdout: Readable; stderr: Readable },
  options: { target?: ReplayTarget } = {},
): Promise<ChunkRecorder> {
  const recorder = new ChunkRecorder();
  const target = options.target ?? processTarget;
  const open = new Set<StreamFd>([1, 2]);
  const pump = (fd: StreamFd, stream: Readable) =>
    new Promise<void>((resolve) => {
      stream.on("data", (chunk: Uint8Array) => {
        recorder.push(fd, chunk);
        if (!open.has(fd)) return;
        try {
          target.write(fd, chunk);
        } catch {
          open.delete(fd); // EPIPE or a closed fd: keep recording, stop forwarding
        }
      });
      stream.on("end", () => resolve());
      stream.on("close", () => resolve());
      stream.on("error", () => resolve());
    });
  return Promise.all([pump(1, streams.stdout), pump(2, streams.stderr)]).then(() => recorder);
}
