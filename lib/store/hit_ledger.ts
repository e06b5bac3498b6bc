/**
 * The bookkeeping of hits: leases shared by a process's concurrent replays of one entry,
 * and hit counts queued and written together.
 *
 * A write transaction costs more than the rest of an in-process hit, and a busy
 * `cached()` function hits thousands of times a second. So a process re-pinning an entry
 * it already holds shares that lease, and `complete()` only queues the hit: counts and
 * lease releases are written together within {@link HIT_FLUSH_MS}, at `flush()` (the
 * store's `close()`), or when the process exits. The port decides how: counts alone go to
 * the hit log (`hit_log.ts`, no transaction); with lease releases or memo rows, one
 * transaction. A crash loses at most the queued counts (statistics and LRU order, never a
 * result) and leaves leases that expire on their own. (Most replays take no lease at all:
 * they hold their blobs open, see `Store.holdBlobs`.)
 *
 * @module
 */
import process from "node:process";
import type { BytePath } from "../path/byte_path.ts";
import type { Pin } from "./leases.ts";

/** A digest memo row to write: `path` held content `digest` while its stat fingerprint was `fp`. */
export interface MemoWrite {
  readonly path: BytePath;
  readonly fp: string;
  readonly digest: string;
}

/** Longest delay before queued hit counts are written. */
export const HIT_FLUSH_MS = 1000;

/** What the ledger needs from the store. */
export interface LedgerPort {
  /** Takes a new lease on the entry (a write). */
  lease(entryId: number, opts: { now: number }): Pin;
  /** Writes releases and counts in one transaction (skipped when the index is closed). */
  write(batch: {
    releases: readonly Pin[];
    hits: readonly [number, { count: number; savedMs: number; now: number }][];
    /** Digest memo rows learned while replaying (an unchanged output, say). */
    memo: readonly MemoWrite[];
  }): void;
}

/**
 * Shared leases and queued hit counts of one store.
 *
 * @example
 * ```ts ignore
 * const ledger = new HitLedger(port);
 * const pin = ledger.pin(entryId, { now: Date.now() });
 * ledger.complete(pin, entryId, { savedMs: 120, now: Date.now() });
 * ledger.flush();
 * ```
 */
export class HitLedger {
  readonly #port: LedgerPort;
  readonly #pending = new Map<number, { count: number; savedMs: number; now: number }>();
  #memo: MemoWrite[] = [];
  readonly #held = new Map<number, { lease: Pin; refs: number }>();
  readonly #lazyRelease = new WeakMap<Pin, () => void>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #exitHook = false;

  /** Creates a ledger writing through `port`. */
  constructor(port: LedgerPort) {
    this.#port = port;
  }

  /** Pins `entryId`, sharing a lease this process already holds; `gone` when it is gone. */
  pin(entryId: number, opts: { now: number }): Pin {
    let held = this.#held.get(entryId);
    if (held === undefined) {
      const lease = this.#port.lease(entryId, opts);
      if (lease.kind === "gone") return lease;
      held = { lease, refs: 0 };
      this.#held.set(entryId, held);
    }
    held.refs++;
    const h = held;
    let released = false;
    const handle: Pin = {
      kind: "pinned",
      release: () => {
        if (released) return;
        released = true;
        if (--h.refs === 0 && this.#held.get(entryId) === h) {
          this.#held.delete(entryId);
          if (h.lease.kind === "pinned") h.lease.release();
        }
      },
    };
    // complete() lets go of the pin lazily: the lease is kept, and shared by the next
    // replays of the entry, until the next flush.
    this.#lazyRelease.set(handle, () => {
      if (released) return;
      released = true;
      h.refs--;
    });
    return handle;
  }

  /** Queues a hit on `entryId` and lets go of its pin (`null`: the replay read no blob). */
  complete(pin: Pin | null, entryId: number, opts: { savedMs: number; now: number }): void {
    const p = this.#pending.get(entryId) ?? { count: 0, savedMs: 0, now: opts.now };
    p.count++;
    p.savedMs += opts.savedMs;
    p.now = Math.max(p.now, opts.now);
    this.#pending.set(entryId, p);
    if (pin !== null) {
      const lazy = this.#lazyRelease.get(pin);
      if (lazy) lazy();
      else if (pin.kind === "pinned") pin.release();
    }
    this.#schedule();
  }

  /** Queues a digest memo row, written with the next flush (no transaction of its own). */
  noteMemo(row: MemoWrite): void {
    this.#memo.push(row);
    this.#schedule();
  }

  /** Writes queued counts and releases the leases no replay holds any more, now. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const releases: Pin[] = [];
    for (const [id, held] of this.#held) {
      if (held.refs > 0) continue;
      releases.push(held.lease);
      this.#held.delete(id);
    }
    const hits = [...this.#pending];
    this.#pending.clear();
    const memo = this.#memo;
    this.#memo = [];
    if (hits.length > 0 || releases.length > 0 || memo.length > 0) {
      this.#port.write({ releases, hits, memo });
    }
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => this.flush(), HIT_FLUSH_MS);
    (this.#timer as { unref?: () => void }).unref?.();
    if (!this.#exitHook) {
      this.#exitHook = true;
      process.once("exit", () => this.flush());
    }
  }
}
