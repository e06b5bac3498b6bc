/**
 * The miss half of the flow: execute the work (traced), record its inputs and outputs, and
 * store the entry: blobs first, the index row last. Loaded by `run_work.ts` only on a miss.
 *
 * @module
 */
import { encodeChunkLog } from "../capture/chunk_log.ts";
import { logger } from "../log/logger.ts";
import { bytePathsSupported } from "../runtime/mod.ts";
import { type BytePath, displayPath, isUtf8Path } from "../path/byte_path.ts";
import type { Store } from "../store/store.ts";
import type { Entry, EntryDraft, RecordedResult } from "../store/types.ts";
import { nearestAncestorIn } from "./_ancestor.ts";
import { captureOutputs } from "./capture_outputs.ts";
import { InputRecorder } from "./record_inputs.ts";
import type { RunWorkOptions } from "./run_work.ts";
import { storeSource } from "./store_source.ts";
import type { Execution, MissReason, Outcome, RunPolicy, Work } from "./types.ts";

const log = logger("engine");

/**
 * Runs `work` and stores what it did, unless the policy, the tracer or the recorder veto
 * it; a failure while storing is reported as `not-stored`, never thrown.
 *
 * @example
 * ```ts ignore
 * const outcome = await executeAndStore(work, { store, policy, lockTimeoutMs, reason });
 * if (outcome.kind === "miss") console.log(outcome.stored.kind);
 * ```
 */
export async function executeAndStore(
  work: Work,
  options: RunWorkOptions & { reason: MissReason },
): Promise<Outcome> {
  const { store } = options;
  const startedAt = Date.now();
  const candidates = store.candidates(work.key);
  const recorder = new InputRecorder({
    startedAt,
    digest: storeSource(store).digest,
    memo: (path, fp) => store.memoDigest(path, fp),
  });
  const tPrefetch = performance.now();
  const prefetch = prefetchList(work, candidates);
  await recorder.prefetch(prefetch);
  log.debug("fingerprinted {n} likely inputs in {ms} ms", {
    n: prefetch.size,
    ms: (performance.now() - tPrefetch).toFixed(1),
  });
  log.info("run {label}: start", { label: work.label });
  const t0 = performance.now();
  // Work that does not depend on the run's result is done while the command runs (a timer
  // fires only once the run's start is done and casher waits on it), not after it: the miss
  // is counted, and the content hasher and blob writer that storing needs are loaded.
  let counted = false;
  const whileRunning = setTimeout(() => {
    counted = true;
    countMiss(store);
    // Programs earlier candidates ran, among them the dynamic loader the kernel maps out of
    // the trace's sight: fingerprinted now, under the same rule as any read the trace
    // reports during the run, instead of from scratch after it.
    for (const path of likelyExecs(candidates, prefetch)) recorder.onFirstRead(path);
    import("../hash/digest.ts").then((d) => d.digestBytes(new Uint8Array(0))).catch(() => {});
    import("../store/_blob_write.ts").catch(() => {});
  }, 0);
  let exec: Execution;
  try {
    exec = await work.execute({ startedAt, onFirstRead: recorder.onFirstRead });
  } finally {
    clearTimeout(whileRunning);
  }
  if (!counted) countMiss(store); // the work ended before the timer fired
  const durationMs = Math.round(performance.now() - t0);
  log.info("run {label}: end after {ms} ms", { label: work.label, ms: durationMs });
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

/**
 * Counts a miss (usually from a timer while the work runs): a failure is logged, not
 * thrown, since the counters are statistics only and the work already ran or is running.
 */
function countMiss(store: Store): void {
  try {
    store.recordMiss();
  } catch (e) {
    log.debug("miss not counted: {error}", { error: String(e) });
  }
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

/**
 * Declared inputs, the face's hints, and the inputs earlier candidates of the key also
 * wrote, removed, or reached through something they wrote: those a run changes, whose
 * pre-run state only a fingerprint taken before it starts can give (a counter file, `sed
 * -i`, a path created after an absent probe, a file under a re-pointed link). Other inputs
 * are fingerprinted as the trace reports them; fingerprinting every recorded input up front
 * cost more than the command on a small compile.
 */
function prefetchList(work: Work, candidates: readonly Entry[]): Set<BytePath> {
  const paths = new Set<BytePath>([...work.declaredInputs, ...(work.prefetch?.() ?? [])]);
  for (const entry of candidates) {
    const written = new Set<BytePath>([...entry.outputs.map((o) => o.path), ...entry.deletions]);
    if (written.size === 0) continue;
    for (const input of entry.inputs) {
      if (written.has(input.path) || nearestAncestorIn(input.path, written) !== null) {
        paths.add(input.path);
      }
    }
  }
  return paths;
}

/** The programs (exec inputs) earlier candidates of the key recorded, except `skip`. */
function likelyExecs(candidates: readonly Entry[], skip: ReadonlySet<BytePath>): Set<BytePath> {
  const paths = new Set<BytePath>();
  for (const entry of candidates) {
    for (const input of entry.inputs) {
      if (input.kind === "exec" && !skip.has(input.path)) paths.add(input.path);
    }
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
