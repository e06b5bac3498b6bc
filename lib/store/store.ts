/**
 * The cache index of one cache directory: candidate lookup and storage, input validation
 * through the stat memo, hit/miss statistics, leases, eviction, gc/verify and per-key
 * single-flight. `openStore()` composes the parts (see each file for its rules).
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { logger } from "../log/logger.ts";
import type { BytePath } from "../path/byte_path.ts";
import { indexError, Tx } from "./_tx.ts";
import { BlobStore } from "./blob_store.ts";
import { type Clock, systemClock } from "./clock.ts";
import { type PathState, resolvePath } from "./digest_path.ts";
import { isRacy, statFingerprint, statPath } from "./fingerprint.ts";
import { type EntryFilter, EntryTable } from "./entries.ts";
import { EVICT_BATCH, type EvictionResult, Evictor } from "./eviction.ts";
import type { GcContext, GcReport } from "./gc.ts";
import { type Hasher, lazyHasher } from "./hasher.ts";
import type { KeyLockResult } from "./key_lock.ts";
import { ensureLayout, type Layout } from "./layout.ts";
import { HitLedger } from "./hit_ledger.ts";
import { HitTally } from "./hit_tally.ts";
import { type HeldBlobs, holdEntryBlobs } from "./replay_hold.ts";
import { DEFAULT_LEASE_MS, Leases, type Pin } from "./leases.ts";
import { openIndexDb } from "./schema.ts";
import { StatMemo } from "./stat_memo.ts";
import { Counters, type StoreStats } from "./stats.ts";
import type { Entry, EntryDraft, InputKind, InputMismatch, RecordedInput } from "./types.ts";
import { validateInputs } from "./validate.ts";

const log = logger("store");

/**
 * Options of {@link openStore}.
 *
 * @example
 * ```ts
 * const opts: StoreOptions = { maxCacheBytes: 10 << 30, maxCandidates: 8 };
 * ```
 */
export interface StoreOptions {
  /** Byte budget of the blobs; LRU entries are evicted beyond it. */
  readonly maxCacheBytes: number;
  /** Candidate entries kept per key. */
  readonly maxCandidates: number;
  /** Source of "now" (default: the wall clock). */
  readonly clock?: Clock;
  /** Content hasher (default: lib/hash/digest.ts, loaded on first use). */
  readonly hasher?: Hasher;
  /** Lifetime of a reader's pin (ms, default 30 min). */
  readonly leaseMs?: number;
  /** Unreferenced blob files younger than this are never deleted by gc (ms, default 1 h). */
  readonly graceMs?: number;
  /** Temp files older than this are deleted by gc (ms, default 1 h). */
  readonly tmpMaxAgeMs?: number;
  /** Entries evicted per store at most (default 32). */
  readonly evictBatch?: number;
}

/**
 * A per-call override of the clock.
 *
 * @example
 * ```ts
 * store.candidates(key, { now: Date.now() + 60_000 }); // as if a minute from now
 * ```
 */
export interface AtTime {
  /** "Now" in ms since the epoch (default: the store's clock). */
  readonly now?: number;
}

/**
 * Opens the cache index of `cacheDir`, creating the layout and schema when missing.
 * Throws `cache-unavailable` when the directory cannot be used and `schema-unsupported`
 * when it was written by a newer casher.
 *
 * @example
 * ```ts
 * import { openStore } from "./store.ts";
 * const store = openStore("/tmp/casher-example", { maxCacheBytes: 1 << 30, maxCandidates: 8 });
 * console.log(store.stats().entries);
 * store.close();
 * ```
 */
export function openStore(cacheDir: string, opts: StoreOptions): Store {
  if (!(opts.maxCacheBytes >= 0)) throw new RangeError("openStore: maxCacheBytes must be >= 0");
  if (!(Number.isInteger(opts.maxCandidates) && opts.maxCandidates >= 1)) {
    throw new RangeError("openStore: maxCandidates must be an integer >= 1");
  }
  const layout = ensureLayout(cacheDir);
  return new Store(layout, openIndexDb(layout), opts);
}

/**
 * An open cache index. Not safe to share across threads; safe across processes.
 *
 * @example
 * ```ts
 * import { openStore } from "./store.ts";
 * const store = openStore("/tmp/casher-example", { maxCacheBytes: 1 << 30, maxCandidates: 8 });
 * for (const entry of store.candidates("0123abcd")) {
 *   if (await store.validate(entry.inputs) === null) console.log("hit", entry.id);
 * }
 * store.close();
 * ```
 */
export class Store {
  /** The content-addressed blobs of this cache directory. */
  readonly blobs: BlobStore;
  /** Paths of this cache directory. */
  readonly layout: Layout;
  readonly #db: DatabaseSync;
  readonly #tx: Tx;
  readonly #entries: EntryTable;
  readonly #memo: StatMemo;
  readonly #counters: Counters;
  readonly #leases: Leases;
  #evictorInstance: Evictor | null = null;
  readonly #hits: HitLedger;
  readonly #tally: HitTally;
  readonly #clock: Clock;
  readonly #hasher: Hasher;
  readonly #opts: Required<Omit<StoreOptions, "clock" | "hasher">>;

  /** Use {@link openStore}. */
  constructor(layout: Layout, db: DatabaseSync, opts: StoreOptions) {
    this.layout = layout;
    this.blobs = new BlobStore(layout);
    this.#db = db;
    this.#clock = opts.clock ?? systemClock;
    this.#hasher = opts.hasher ?? lazyHasher();
    this.#opts = {
      maxCacheBytes: opts.maxCacheBytes,
      maxCandidates: opts.maxCandidates,
      leaseMs: opts.leaseMs ?? DEFAULT_LEASE_MS,
      graceMs: opts.graceMs ?? 60 * 60_000,
      tmpMaxAgeMs: opts.tmpMaxAgeMs ?? 60 * 60_000,
      evictBatch: opts.evictBatch ?? EVICT_BATCH,
    };
    try {
      this.#tx = new Tx(db);
      this.#entries = new EntryTable(db, this.#tx);
      this.#memo = new StatMemo(db, this.#tx);
      this.#counters = new Counters(db);
      this.#leases = new Leases(db);
      this.#tally = new HitTally(layout.hitLogPath, {
        tx: this.#tx,
        entries: this.#entries,
        counters: this.#counters,
        memo: this.#memo,
        isOpen: () => this.#db.isOpen,
      });
      this.#hits = new HitLedger({
        lease: (id, { now }) =>
          guard("pin entry", () => this.#leases.pin(id, { now, ttlMs: this.#opts.leaseMs })),
        write: (batch) => this.#tally.write(batch),
      });
    } catch (cause) {
      db.close();
      throw indexError("prepare statements", cause);
    }
  }

  /** Unexpired candidates of `key`, most recent first (one query). */
  candidates(key: string, opts: AtTime = {}): Entry[] {
    return [...this.eachCandidate(key, opts)];
  }

  /** {@link Store.candidates}, each decoded when reached: a lookup stops at its hit. */
  *eachCandidate(key: string, opts: AtTime = {}): Generator<Entry> {
    const it = this.#entries.candidates(key, this.#now(opts));
    for (let next; !(next = guard("look up candidates", () => it.next())).done;) yield next.value;
  }

  /**
   * Stores a candidate (its blobs must already be in {@link blobs}) in one transaction,
   * then evicts a bounded number of entries if the cache is over budget (folding the hit
   * log first, for the LRU order). Returns its id.
   * An input recorded with its stat fields also becomes a digest memo row (the fields were
   * old when recorded, as the memo requires), so a later miss of any key hashes it only if
   * it changed.
   */
  putEntry(draft: EntryDraft): number {
    const now = this.#clock.now();
    const id = this.#entries.put(draft, {
      now,
      maxCandidates: this.#opts.maxCandidates,
      sizer: (d) => this.blobs.storedSize(d),
    });
    this.#putMemo(
      draft.inputs.flatMap((i) =>
        i.stat === undefined || i.kind === "absent" || i.kind === "meta"
          ? []
          : [{ path: i.path, fp: statFingerprint(i.stat), digest: i.digest }]
      ),
    );
    try {
      this.evict({ now });
    } catch (e) {
      log.warn("eviction after store failed: {error}", { error: String(e) });
    }
    return id;
  }

  /** Counts a hit on `entryId` and the time it saved. */
  recordHit(entryId: number, opts: { savedMs: number } & AtTime): void {
    guard(
      "record hit",
      () => this.#entries.recordHit(entryId, { savedMs: opts.savedMs, now: this.#now(opts) }),
    );
  }

  /**
   * Counts a hit on `entryId` and lets go of the replay's pin: queued and written in one
   * transaction shortly after (see `hit_ledger.ts`).
   */
  completeHit(pin: Pin | null, entryId: number, opts: { savedMs: number } & AtTime): void {
    this.#hits.complete(pin, entryId, { savedMs: opts.savedMs, now: this.#now(opts) });
  }

  /**
   * The stat fingerprint of the regular file at `path` when it can be trusted to the digest
   * memo (it did not change within the racy window), else `null`.
   */
  trustedFingerprint(path: BytePath, opts: AtTime = {}): string | null {
    const st = statPath(path);
    if (st.kind !== "found" || !st.info.isFile || isRacy(st.info, this.#now(opts))) return null;
    return st.info.fp;
  }

  /** The content digest the memo holds for `path` under fingerprint `fp`, or `null`. */
  memoDigest(path: BytePath, fp: string): string | null {
    const row = guard("read digest memo", () => this.#memo.get(path));
    return row !== undefined && row.fp === fp ? row.digest : null;
  }

  /**
   * Remembers that `path` held `digest` under `fp` (a trusted fingerprint taken before the
   * content was compared, and unchanged after): written with the hit counts, not alone.
   */
  rememberDigest(path: BytePath, row: { fp: string; digest: string }): void {
    this.#hits.noteMemo({ path, fp: row.fp, digest: row.digest });
  }

  /** Writes queued hit counts and lease releases now. */
  flushHits(): void {
    this.#hits.flush();
  }

  /** Counts a miss. */
  recordMiss(): void {
    guard("record miss", () => this.#counters.recordMiss());
  }

  /** Hits, misses, entries, stored bytes and time saved. */
  stats(): StoreStats {
    this.#tally.fold();
    return guard("read stats", () => this.#counters.read());
  }

  /** Every entry, most recent first. */
  listEntries(): Entry[] {
    this.#tally.fold();
    return guard("list entries", () => this.#entries.list());
  }

  /** Removes matching entries (all when `filter` is empty) and their unshared blobs. */
  removeEntries(filter: EntryFilter, opts: AtTime = {}): number {
    this.#tally.fold();
    const n = this.#entries.remove(filter, this.#now(opts));
    while (this.#evictor.sweep(1000) > 0) { /* drain */ }
    return n;
  }

  /** Removes every entry (except those pinned by a live lease) and their blobs. */
  clear(): void {
    this.removeEntries({});
  }

  /** The current state of `path` as an input of `kind` (for recording a new entry). */
  async digestPath(path: BytePath, kind: InputKind, opts: AtTime = {}): Promise<PathState> {
    const writes: { path: BytePath; fp: string; digest: string }[] = [];
    const state = await resolvePath(path, kind, {
      ctx: {
        now: this.#now(opts),
        hasher: this.#hasher,
        memoGet: (p) => guard("read digest memo", () => this.#memo.get(p)),
        memoPut: (row) => writes.push(row),
      },
    });
    this.#putMemo(writes);
    return state;
  }

  /** The first recorded input that no longer matches, or `null` (all match). */
  validate(inputs: readonly RecordedInput[], opts: AtTime = {}): Promise<InputMismatch | null> {
    return validateInputs(inputs, { memo: this.#memo, hasher: this.#hasher, now: this.#now(opts) });
  }

  /**
   * Protects `entryId` from eviction during a replay; `gone` when it no longer exists. A
   * lease this process already holds for the entry is shared (no write).
   */
  pin(entryId: number, opts: AtTime = {}): Pin {
    return this.#hits.pin(entryId, { now: this.#now(opts) });
  }

  /**
   * Protects the blobs `entry` references from deletion for a replay by holding them open
   * (see `replay_hold.ts`): unlike {@link Store.pin}, this writes nothing. On `too-many`,
   * {@link Store.pin} the entry instead.
   */
  holdBlobs(entry: Entry): HeldBlobs {
    return holdEntryBlobs(entry, {
      blobs: this.blobs,
      exists: (e) => guard("look up entry", () => this.#entries.exists(e)),
    });
  }

  /** Runs one bounded eviction step (also done after every store). */
  evict(opts: AtTime = {}): EvictionResult {
    this.#tally.fold();
    return this.#evictor.evict({
      now: this.#now(opts),
      maxBytes: this.#opts.maxCacheBytes,
      batch: this.#opts.evictBatch,
    });
  }

  /** Verifies every blob and repairs the index, blobs, temp and lock files. */
  async gc(opts: AtTime = {}): Promise<GcReport> {
    this.#tally.fold();
    const { gcStore } = await import("./gc.ts");
    return gcStore(this.#gcContext(opts));
  }

  /** Verifies every blob and the index without changing anything. */
  async verify(opts: AtTime = {}): Promise<GcReport> {
    const { verifyStore } = await import("./gc.ts");
    return verifyStore(this.#gcContext(opts));
  }

  /** Per-key single-flight lock (see key_lock.ts). */
  async acquireKeyLock(key: string, opts: { timeoutMs: number }): Promise<KeyLockResult> {
    const { acquireKeyLock } = await import("./key_lock.ts"); // a miss only
    return acquireKeyLock(this.layout.locksDir, key, opts);
  }

  /** Closes the index. */
  close(): void {
    this.flushHits();
    if (this.#db.isOpen) this.#db.close();
  }

  #putMemo(writes: readonly { path: BytePath; fp: string; digest: string }[]): void {
    try {
      this.#memo.putMany(writes);
    } catch (e) {
      // The memo only accelerates: failing to update it changes nothing else.
      log.debug("digest memo not updated: {error}", { error: String(e) });
    }
  }

  /** Eviction statements are prepared on first use: a hit never needs them. */
  get #evictor(): Evictor {
    return this.#evictorInstance ??= guard(
      "prepare eviction",
      () => new Evictor(this.#db, { tx: this.#tx, blobs: this.blobs }),
    );
  }

  #now(opts: AtTime): number {
    return opts.now ?? this.#clock.now();
  }

  #gcContext(opts: AtTime): GcContext {
    return {
      db: this.#db,
      tx: this.#tx,
      blobs: this.blobs,
      layout: this.layout,
      evictor: this.#evictor,
      leases: this.#leases,
      now: this.#now(opts),
      graceMs: this.#opts.graceMs,
      tmpMaxAgeMs: this.#opts.tmpMaxAgeMs,
    };
  }
}

function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    throw indexError(what, cause);
  }
}
