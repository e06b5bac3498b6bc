/**
 * The `execute` step of a cached call on a miss: run the function with its I/O tracked,
 * encode its value, keep only outputs under `outputRoots`, and learn which `file:` URL
 * arguments it wrote (so later calls key them by path, and this entry is stored under
 * that key).
 *
 * @module
 */
import type { Chunk } from "../capture/chunk_log.ts";
import { encodeValue } from "../codec/mod.ts";
import { snapshotFile } from "../engine/fingerprint.ts";
import type { ExecContext, Execution, WorkResult } from "../engine/types.ts";
import { type BytePath, isUnder } from "../path/byte_path.ts";
import type { Effects } from "../trace/effects.ts";
import type { CallKey } from "./_call_key.ts";
import { runTracked, type TrackedOutcome } from "./io_tracker.ts";

/** Inputs up to this size are read at their first read, so a later rewrite cannot hide them. */
const SNAPSHOT_MAX_BYTES = 8 << 20;

/** What the face keeps from the run (the value itself never goes through the engine). */
export interface RanCall {
  readonly outcome: TrackedOutcome<unknown>;
  readonly effects: Effects;
  readonly chunks: readonly Chunk[];
}

/** What executing a call needs. */
export interface ExecuteCallContext {
  readonly key: CallKey;
  /** Paths under the cache directory, never outputs of the function. */
  readonly cacheRoot: BytePath;
  /** Called with the run's record as soon as the function settled. */
  readonly onRan: (ran: RanCall) => void;
  /** Called when a value cannot be encoded (the type's name). */
  readonly onUnencodable: (typeName: string) => void;
  /** Learns `paths` as outputs; returns the key to store under when anything was new. */
  readonly learn: (paths: readonly BytePath[]) => Promise<CallKey | null>;
}

/**
 * Runs `call` tracked and reports an {@link Execution} for the engine.
 *
 * @example
 * ```ts ignore
 * execute: (ctx) => executeCall(() => fn(...args), ctx, callCtx)
 * ```
 */
export async function executeCall(
  call: () => unknown,
  ctx: ExecContext,
  c: ExecuteCallContext,
): Promise<Execution> {
  const run = await runTracked(call, {
    onFirstRead: (p) => ctx.onFirstRead(p, snapshotFile(p, { maxBytes: SNAPSHOT_MAX_BYTES })),
  });
  const effects = keepOutputs(run.effects, c);
  c.onRan({ outcome: run.outcome, effects, chunks: run.chunks });
  if (run.outcome.kind === "error") {
    return {
      result: { kind: "thrown", error: run.outcome.error },
      chunks: run.chunks,
      effects,
      storable: { kind: "no", reason: "the function threw" },
    };
  }
  const encoded = await encodeValue(run.outcome.value);
  let result: WorkResult;
  let storable: Execution["storable"] = { kind: "yes" };
  if (encoded.kind === "ok") result = { kind: "value", bytes: encoded.bytes };
  else {
    c.onUnencodable(encoded.typeName);
    result = { kind: "value", bytes: new Uint8Array() };
    storable = { kind: "no", reason: `a ${encoded.typeName} value cannot be cached` };
  }
  const written = new Set(effects.outputs.map((o) => o.path));
  const learnedKey = storable.kind === "yes"
    ? await c.learn(c.key.urlPaths.filter((p) => written.has(p)))
    : null;
  return {
    result,
    chunks: run.chunks,
    effects,
    storable,
    ...(learnedKey === null
      ? {}
      : { rekey: { key: learnedKey.key, keyMaterial: learnedKey.keyMaterial } }),
  };
}

function keepOutputs(effects: Effects, c: ExecuteCallContext): Effects {
  const roots = c.key.outputRoots;
  const keep = (p: BytePath) =>
    !isUnder(p, c.cacheRoot) && (roots.length === 0 || roots.some((r) => isUnder(p, r)));
  return {
    ...effects,
    outputs: effects.outputs.filter((o) => keep(o.path)),
    deletions: effects.deletions.filter(keep),
  };
}
