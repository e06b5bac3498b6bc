/**
 * The one flow, written once and driven by both faces:
 *
 * ```
 * look up ─► hit? ─yes─► replay (streams, outputs, result)
 *              │ no
 *              ▼
 * single-flight lock ─► look up again ─► execute (traced) ─► record inputs/outputs ─► store
 * ```
 *
 * casher's own failures never change the work's outcome: anything that goes wrong while
 * storing is reported as `not-stored` with the reason.
 *
 * @module
 */
import { encodeChunkLog } from "../capture/chunk_log.ts";
import type { ReplayTarget } from "../capture/replay.ts";
import { isCasherError } from "../errors/casher_error.ts";
import { logger } from "../log/logger.ts";
import { bytePathsSupported } from "../runtime/mod.ts";
import { type BytePath, displayPath, isUtf8Path } from "../path/byte_path.ts";
import type { Store } from "../store/store.ts";
import type { EntryDraft, RecordedResult } from "../store/types.ts";
import { captureOutputs } from "./capture_outputs.ts";
import { lookup } from "./lookup.ts";
import { InputRecorder } from "./record_inputs.ts";
import { replayHit } from "./replay_hit.ts";
import { storeSource } from "./store_source.ts";
import type { Execution, MissReason, Outcome, RunPolicy, StoreProgress, Work } from "./types.ts";

const log = logger("engine");

/** Options of {@link runWork}. */
export interface RunWorkOptions {
  readonly store: Store;
  readonly policy: RunPolicy;
  /** How long to wait for another process computing the same key. */
  readonly lockTimeoutMs: number;
  /** Where a hit's streams are written (fds 1 and 2 by default). */
  readonly target?: ReplayTarget;
  /** Makes a progress reporter for one store (none by default: the library stays quiet). */
  readonly progress?: () => StoreProgress;
}

/**
 * Looks `work` up and replays a hit, or runs it and stores the result.
 *
 * @example
 * ```ts ignore
 * const outcome = await runWork(work, { store, policy, lockTimeoutMs: 600_000 });
 * if (outcome.kind === "hit") console.log("saved", outcome.entry.durationMs, "ms");
 * ```
 */
export async function runWork(work: Work, options: RunWorkOptions): Promise<Outcome> {
  const { store, policy } = options;
  let reason: MissReason = { kind: "forced" };
  if (!policy.force) {
    const first = await tryHit(work, options);
    if (first.kind === "hit") return first;
    reason = first.reason;
  }
  const lock = policy.store
    ? await store.acquireKeyLock(work.key, { timeoutMs: options.lockTimeoutMs })
    : { kind: "timeout" as const };
  try {
    if (lock.kind === "acquired" && !policy.force) {
      const again = await tryHit(work, options);
      if (again.kind === "hit") return again;
    }
    return await executeAndStore(work, { ...options, reason });
  } finally {
    if (lock.kind === "acquired") lock.release();
  }
}

type HitOrMiss = Extract<Outcome, { kind: "hit" }> | { kind: "miss"; reason: MissReason };

async function tryHit(work: Work, options: RunWorkOptions): Promise<HitOrMiss> {
  const t0 = performance.now();
  const found = await lookup(options.store, work);
  log.info("lookup {label}: {result} in {ms} ms", {
    label: work.label,
    result: found.kind,
    ms: (performance.now() - t0).toFixed(1),
  });
  if (found.kind === "miss") return found;
  const { entry } = found;
  const pin = options.store.pin(entry.id);
  if (pin.kind === "gone") return { kind: "miss", reason: { kind: "absent" } };
  try {
    const { result, streams } = await replayHit(storeSource(options.store), {
      entry,
      policy: options.policy.replayOutputs,
      target: options.target,
      beforeStreams: work.beforeStreams,
    });
    options.store.completeHit(pin, entry.id, { savedMs: entry.durationMs });
    log.info("hit {label}: replayed, saved {ms} ms", { label: work.label, ms: entry.durationMs });
    return { kind: "hit", entry, result, streams };
  } catch (e) {
    if (!isCasherError(e, "blob-corrupt") && !isCasherError(e, "blob-missing")) throw e;
    log.warn("entry {id} is damaged ({detail}); running instead", {
      id: entry.id,
      detail: (e as Error).message,
    });
    pin.release();
    options.store.removeEntries({ key: entry.key });
    return { kind: "miss", reason: { kind: "corrupt", detail: (e as Error).message } };
  } finally {
    pin.release();
  }
}

async function executeAndStore(
  work: Work,
  options: RunWorkOptions & { reason: MissReason },
): Promise<Outcome> {
  const { store } = options;
  const startedAt = Date.now();
  const recorder = new InputRecorder({ startedAt, digest: storeSource(store).digest });
  const tPrefetch = performance.now();
  const prefetch = prefetchList(work, store);
  await recorder.prefetch(prefetch);
  log.debug("fingerprinted {n} likely inputs in {ms} ms", {
    n: prefetch.size,
    ms: (performance.now() - tPrefetch).toFixed(1),
  });
  log.info("run {label}: start", { label: work.label });
  const t0 = performance.now();
  const exec = await work.execute({ startedAt, onFirstRead: recorder.onFirstRead });
  const durationMs = Math.round(performance.now() - t0);
  log.info("run {label}: end after {ms} ms", { label: work.label, ms: durationMs });
  store.recordMiss();
  let stored: Extract<Outcome, { kind: "miss" }>["stored"];
  try {
    stored = await storeExecution(work, { ...options, exec, recorder, durationMs });
  } catch (e) {
    stored = {
      kind: "not-stored",
      reason: `casher could not store the result: ${(e as Error).message}`,
    };
  }
  if (stored.kind === "not-stored") {
    log.info("not stored {label}: {reason}", { label: work.label, reason: stored.reason });
  } else {
    log.info("stored {label}: {bytes} bytes", { label: work.label, bytes: stored.bytes });
  }
  return { kind: "miss", reason: options.reason, result: exec.result, stored, durationMs };
}

async function storeExecution(
  work: Work,
  run: RunWorkOptions & {
    exec: Execution;
    recorder: InputRecorder;
    durationMs: number;
  },
): Promise<Extract<Outcome, { kind: "miss" }>["stored"]> {
  const { exec, store } = run;
  const veto = vetoOf(exec, run.policy);
  if (veto !== null) return { kind: "not-stored", reason: veto };
  const tInputs = performance.now();
  const verdict = await run.recorder.finish({
    declared: work.declaredInputs,
    effects: exec.effects,
  });
  log.debug("recorded {n} inputs in {ms} ms", {
    n: verdict.kind === "ok" ? verdict.inputs.length : 0,
    ms: (performance.now() - tInputs).toFixed(1),
  });
  if (verdict.kind === "unstorable") return { kind: "not-stored", reason: verdict.reason };
  const progress = run.progress?.();
  let captured;
  try {
    captured = await captureOutputs(store.blobs, {
      paths: [...exec.effects.outputs.map((o) => o.path), ...work.declaredOutputs],
      deletions: exec.effects.deletions,
      onProgress: progress && ((done, total) => progress.update(done, total)),
    });
  } finally {
    progress?.end();
  }
  const unrepresentable = unrepresentablePath([
    ...verdict.inputs.map((i) => i.path),
    ...captured.outputs.map((o) => o.path),
    ...captured.deletions,
  ]);
  if (unrepresentable !== null) return { kind: "not-stored", reason: unrepresentable };
  const streamInfo = exec.chunks.length === 0
    ? null
    : await store.blobs.putBytes(encodeChunkLog(exec.chunks));
  const result = await recordResult(store, exec);
  const draft: EntryDraft = {
    key: exec.rekey?.key ?? work.key,
    keyMaterial: exec.rekey?.keyMaterial ?? work.keyMaterial,
    label: work.label,
    inputs: verdict.inputs,
    outputs: captured.outputs,
    deletions: captured.deletions,
    streamBlob: streamInfo?.digest ?? null,
    result,
    durationMs: run.durationMs,
    expiresAt: run.policy.ttlMs === null ? null : Date.now() + run.policy.ttlMs,
  };
  store.putEntry(draft);
  return { kind: "stored", bytes: captured.bytes + (streamInfo?.size ?? 0) };
}

/** Declared inputs, the face's hints, and every input earlier candidates of the key recorded. */
function prefetchList(work: Work, store: Store): Set<BytePath> {
  const paths = new Set<BytePath>([...work.declaredInputs, ...(work.prefetch ?? [])]);
  for (const entry of store.candidates(work.key)) {
    // Absent ones too: a path the last run created must be fingerprinted before this run
    // writes to it again.
    for (const input of entry.inputs) paths.add(input.path);
  }
  return paths;
}

function vetoOf(exec: Execution, policy: RunPolicy): string | null {
  if (!policy.store) return "storing is disabled (--no-store)";
  if (exec.storable.kind === "no") return exec.storable.reason;
  if (exec.effects.trust.kind === "untrusted") {
    return `the trace cannot vouch for this run: ${exec.effects.trust.reason}`;
  }
  switch (exec.result.kind) {
    case "exit":
    case "value":
      return null;
    case "signaled":
      return `the command was killed by ${exec.result.signal}`;
    case "thrown":
      return "the function threw";
  }
}

async function recordResult(store: Store, exec: Execution): Promise<RecordedResult> {
  const r = exec.result;
  if (r.kind === "exit") {
    return r.stdinAdvance ? { kind: "exit", code: r.code, stdinAdvance: r.stdinAdvance } : {
      kind: "exit",
      code: r.code,
    };
  }
  if (r.kind === "value") {
    return { kind: "value", blob: (await store.blobs.putBytes(r.bytes)).digest };
  }
  throw new Error(`unstorable result ${r.kind}`);
}

function unrepresentablePath(paths: readonly string[]): string | null {
  if (bytePathsSupported()) return null;
  const bad = paths.find((p) => !isUtf8Path(p));
  return bad === undefined
    ? null
    : `path ${
      displayPath(bad)
    } is not valid UTF-8, which this runtime (Deno) cannot restore exactly; ` +
      `use the compiled casher binary (Bun) to cache it`;
}
