/**
 * Running statistics of a cache directory: hits, misses, time saved, entries, bytes.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { lazyStatement } from "./_lazy_statement.ts";

/**
 * What `casher stats` shows.
 *
 * @example
 * ```ts
 * const { hits, misses, savedMs } = store.stats();
 * ```
 */
export interface StoreStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  /** Bytes of blobs on disk known to the index. */
  readonly bytes: number;
  /** Sum over hits of the time the original work took. */
  readonly savedMs: number;
}

/**
 * Prepared counter statements.
 *
 * @example
 * ```ts
 * // Constructed by openStore(); use Store.stats() / Store.recordMiss().
 * ```
 */
export class Counters {
  readonly #miss: () => StatementSync;
  readonly #read: () => StatementSync;
  readonly #hits: () => StatementSync;

  /** Prepares the statements on `db`. */
  constructor(db: DatabaseSync) {
    this.#miss = lazyStatement(db, "UPDATE counters SET misses = misses + 1 WHERE id = 1");
    this.#hits = lazyStatement(
      db,
      "UPDATE counters SET hits = hits + ?, saved_ms = saved_ms + ? WHERE id = 1",
    );
    this.#read = lazyStatement(
      db,
      "SELECT hits, misses, saved_ms, bytes, (SELECT COUNT(*) FROM entries) AS entries " +
        "FROM counters WHERE id = 1",
    );
  }

  /** Counts hits on entries that are gone (the global totals only). */
  addHits(count: number, savedMs: number): void {
    this.#hits().run(count, savedMs);
  }

  /** Counts a miss (one statement). */
  recordMiss(): void {
    this.#miss().run();
  }

  /** The current totals. */
  read(): StoreStats {
    const r = this.#read().get() as {
      hits: number;
      misses: number;
      saved_ms: number;
      bytes: number;
      entries: number;
    };
    return {
      hits: Number(r.hits),
      misses: Number(r.misses),
      entries: Number(r.entries),
      bytes: Number(r.bytes),
      savedMs: Number(r.saved_ms),
    };
  }
}
