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
 * The miss half (`execute_and_store.ts`: the tracer, the recorder, the blob writer) is
 * imported only on a miss, so a hit never loads it.
 *
 * @module
 */
import type { ReplayTarget } from "../capture/replay.ts";
import { isCasherError } from "../errors/casher_error.ts";
import { logger } from "../log/logger.ts";
import type { Pin } from "../store/leases.ts";
import type { Store } from "../store/store.ts";
import type { Entry } from "../store/types.ts";
import { lookup } from "./lookup.ts";
import { replayHit } from "./replay_hit.ts";
import { storeSource } from "./store_source.ts";
import type { MissReason, Outcome, RunPolicy, StoreProgress, Work } from "./types.ts";

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
    const { executeAndStore } = await import("./execute_and_store.ts");
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
  // Before its first blob is read, the replay protects the entry's blobs from eviction: it
  // holds them open (no write), or, for an entry with very many, pins it with a lease. A
  // replay that reads no blob does neither.
  const lease = new ReplayLease(options.store, entry);
  const source = storeSource(options.store, { beforeBlobRead: () => lease.ensure() });
  try {
    const { result, streams } = await replayHit(source, {
      entry,
      policy: options.policy.replayOutputs,
      target: options.target,
      beforeStreams: work.beforeStreams,
    });
    options.store.completeHit(lease.pin, entry.id, { savedMs: entry.durationMs });
    log.info("hit {label}: replayed, saved {ms} ms", { label: work.label, ms: entry.durationMs });
    return { kind: "hit", entry, result, streams };
  } catch (e) {
    // Evicted between the lookup and the pin: a miss like any other.
    if (e instanceof EntryGone) return { kind: "miss", reason: { kind: "absent" } };
    if (isCasherError(e, "output-conflict")) {
      // Nothing was restored yet (restores stage everything first); the entry stays.
      log.info("{detail}", { detail: (e as Error).message });
      return { kind: "miss", reason: { kind: "output-conflict", detail: (e as Error).message } };
    }
    if (!isCasherError(e, "blob-corrupt") && !isCasherError(e, "blob-missing")) throw e;
    log.warn("entry {id} is damaged ({detail}); running instead", {
      id: entry.id,
      detail: (e as Error).message,
    });
    lease.release();
    options.store.removeEntries({ key: entry.key });
    return { kind: "miss", reason: { kind: "corrupt", detail: (e as Error).message } };
  } finally {
    lease.release();
  }
}

/** Thrown before a blob read when the entry no longer exists. */
class EntryGone extends Error {}

/** A replay's protection of its entry's blobs, taken on first need. */
class ReplayLease {
  pin: Pin | null = null;
  #held: (() => void) | null = null;
  readonly #store: Store;
  readonly #entry: Entry;

  constructor(store: Store, entry: Entry) {
    this.#store = store;
    this.#entry = entry;
  }

  /** Protects the blobs (once); throws {@link EntryGone} when the entry no longer exists. */
  ensure(): void {
    if (this.#held !== null) return;
    if (this.pin === null) {
      const held = this.#store.holdBlobs(this.#entry);
      if (held.kind === "held") {
        this.#held = held.release;
        return;
      }
      if (held.kind === "gone") throw new EntryGone();
      this.pin = this.#store.pin(this.#entry.id);
    }
    if (this.pin.kind === "gone") throw new EntryGone();
  }

  release(): void {
    this.#held?.();
    this.#held = null;
    if (this.pin?.kind === "pinned") this.pin.release();
  }
}
