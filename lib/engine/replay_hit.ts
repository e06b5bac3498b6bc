/**
 * Replaying a hit: read and verify the recorded streams (and value) first, then restore
 * outputs, then write the streams back in order. A corrupt or missing blob found before
 * anything was written turns the hit into a miss.
 *
 * @module
 */
import { decodeChunkLog } from "../capture/chunk_log.ts";
import {
  processTarget,
  replayChunks,
  type ReplayOutcome,
  type ReplayTarget,
} from "../capture/replay.ts";
import type { Entry, RecordedResult } from "../store/types.ts";
import { restoreOutputs, type RestoreSource } from "./restore_outputs.ts";
import type { ReplayOutputs } from "./types.ts";

/** The recorded result handed back to the face. */
export type ReplayedResult =
  | { readonly kind: "exit"; readonly code: number }
  | { readonly kind: "value"; readonly bytes: Uint8Array };

/** A replayed hit: the recorded result, and whether the streams' reader took them all. */
export interface ReplayedHit {
  readonly result: ReplayedResult;
  /** `reader-gone`: writing stdout or stderr hit EPIPE (the reader went away). */
  readonly streams: ReplayOutcome;
}

/** What replaying needs from the store. */
export type ReplaySource = RestoreSource;

/**
 * Replays `entry`: streams to `target` (fds 1 and 2 by default), outputs per `policy`.
 * Throws the store's `blob-corrupt`/`blob-missing` errors so the caller can fall back.
 *
 * @example
 * ```ts ignore
 * const { result, streams } = await replayHit(source, { entry, policy: "always" });
 * ```
 */
export async function replayHit(
  source: ReplaySource,
  hit: {
    entry: Entry;
    policy: ReplayOutputs;
    target?: ReplayTarget;
    /** Called with the recorded result after the outputs are restored, before the streams. */
    beforeStreams?: (recorded: RecordedResult) => void;
  },
): Promise<ReplayedHit> {
  const { entry } = hit;
  const chunks = entry.streamBlob === null ? [] : decodeChunkLog(
    await source.readBytes(entry.streamBlob),
  );
  const result: ReplayedResult = entry.result.kind === "exit"
    ? { kind: "exit", code: entry.result.code }
    : { kind: "value", bytes: await source.readBytes(entry.result.blob) };
  await restoreOutputs(source, {
    outputs: entry.outputs,
    deletions: entry.deletions,
    policy: hit.policy,
    inputs: entry.inputs.map((i) => i.path),
  });
  hit.beforeStreams?.(entry.result);
  const streams = replayChunks(chunks, hit.target ?? processTarget);
  return { result, streams };
}
