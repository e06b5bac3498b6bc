/**
 * Tees a child's stdout and stderr to casher's own fds 1 and 2 as each chunk arrives
 * (no buffering added) while recording the ordered chunk log.
 *
 * A reader that went away (EPIPE on fd 1 or 2) leaves the command writing into casher's
 * pipe, which never fails: `casher -- yes | head -1` would run forever. Without casher the
 * command's next write would have killed it with SIGPIPE, so the tee first calls
 * `onReaderGone` (the face sends SIGPIPE to the command's processes that write to that
 * stream), then closes its end of the pipe: a process that ignores SIGPIPE gets an error
 * on its next write instead of an endless reader (EPIPE; ECONNRESET under Bun, whose
 * child stdio is a socket pair). What was recorded is dropped (such a run is never stored:
 * its streams were cut short), so memory stays bounded.
 *
 * @module
 */
import { ChunkRecorder, type StreamFd } from "../capture/chunk_log.ts";
import { processTarget, type ReplayTarget } from "../capture/replay.ts";
import type { ChunkSource } from "../runtime/mod.ts";

/** How the tee ended. */
export type TeeResult =
  | { readonly kind: "complete"; readonly recorder: ChunkRecorder }
  | { readonly kind: "reader-gone"; readonly fd: StreamFd };

/**
 * Starts teeing; the promise resolves when both streams ended.
 *
 * @example
 * ```ts ignore
 * const tee = await teeStreams({ stdout: child.stdout, stderr: child.stderr }, {
 *   onReaderGone: (fd) => console.error(`fd ${fd}: reader gone`),
 * });
 * if (tee.kind === "complete") console.log(tee.recorder.chunks().length);
 * ```
 */
export function teeStreams(
  streams: { stdout: ChunkSource; stderr: ChunkSource },
  options: { target?: ReplayTarget; onReaderGone?: (fd: StreamFd) => void } = {},
): Promise<TeeResult> {
  let recorder: ChunkRecorder | null = new ChunkRecorder();
  let gone: StreamFd | null = null;
  const target = options.target ?? processTarget;
  const open = new Set<StreamFd>([1, 2]);
  const pump = (fd: StreamFd, stream: ChunkSource) =>
    stream.forEach((chunk) => {
      recorder?.push(fd, chunk);
      if (!open.has(fd)) return;
      try {
        target.write(fd, chunk);
      } catch (e) {
        open.delete(fd);
        // A closed fd (EBADF...) only stops the forwarding; recording goes on.
        if ((e as NodeJS.ErrnoException).code !== "EPIPE") return;
        gone ??= fd;
        recorder = null;
        options.onReaderGone?.(fd);
        stream.cancel();
      }
    });
  return Promise.all([pump(1, streams.stdout), pump(2, streams.stderr)]).then(() =>
    recorder === null ? { kind: "reader-gone", fd: gone ?? 1 } : { kind: "complete", recorder }
  );
}
