/**
 * LRU eviction to a byte budget, done incrementally (bounded work per call), and the
 * sweep that deletes blobs no entry references any more.
 *
 * Deleting a blob file happens under the index write lock, in the same transaction that
 * deletes its (refcount 0) row: a writer checks that its blobs exist under that same lock
 * before referencing them, so a sweep can never leave an entry pointing at a deleted blob.
 * A crash between the unlink and the commit leaves a refcount-0 row without a file, which
 * the next sweep removes.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { LEASED } from "./entries.ts";
import type { Tx } from "./_tx.ts";

/**
 * What eviction needs from the blob store.
 *
 * @example
 * ```ts
 * const remover: BlobRemover = { remove: (digest) => blobs.remove(digest) };
 * ```
 */
export interface BlobRemover {
  remove(digest: string): void;
}

/**
 * How much one eviction call did.
 *
 * @example
 * ```ts
 * const { entriesEvicted } = store.evict();
 * ```
 */
export interface EvictionResult {
  readonly entriesEvicted: number;
  readonly blobsRemoved: number;
}

/**
 * Entries evicted per call at most (keeps every store's pause short).
 *
 * @example
 * ```ts
 * import { EVICT_BATCH } from "./eviction.ts";
 * console.log(EVICT_BATCH); // 32
 * ```
 */
export const EVICT_BATCH = 32;

/**
 * Prepared eviction statements.
 *
 * @example
 * ```ts
 * // Constructed by openStore(); runs after every Store.putEntry().
 * ```
 */
export class Evictor {
  readonly #tx: Tx;
  readonly #blobs: BlobRemover;
  readonly #zero: StatementSync;
  readonly #dropBlob: StatementSync;
  readonly #bytes: StatementSync;
  readonly #pending: StatementSync;
  readonly #expired: StatementSync;
  readonly #lru: StatementSync;
  readonly #drop: StatementSync;

  /** Prepares the statements on `db`. */
  constructor(db: DatabaseSync, opts: { tx: Tx; blobs: BlobRemover }) {
    this.#tx = opts.tx;
    this.#blobs = opts.blobs;
    this.#zero = db.prepare("SELECT digest FROM blobs WHERE refcount <= 0 LIMIT ?");
    this.#dropBlob = db.prepare("DELETE FROM blobs WHERE digest = ? AND refcount <= 0");
    this.#bytes = db.prepare("SELECT bytes FROM counters WHERE id = 1");
    this.#pending = db.prepare(
      "SELECT COALESCE(SUM(stored_size), 0) AS n FROM blobs WHERE refcount <= 0",
    );
    this.#expired = db.prepare(
      `DELETE FROM entries WHERE id IN (SELECT id FROM entries WHERE expires_at <= ? ` +
        `AND id NOT IN (${LEASED}) LIMIT ?)`,
    );
    this.#lru = db.prepare(
      `SELECT id, size_bytes FROM entries WHERE id NOT IN (${LEASED}) ` +
        `ORDER BY last_used, id LIMIT ?`,
    );
    this.#drop = db.prepare("DELETE FROM entries WHERE id = ?");
  }

  /**
   * Drops expired entries, then least recently used ones while the stored bytes exceed
   * `maxBytes`, at most `batch` of each; then sweeps unreferenced blobs.
   */
  evict(opts: { now: number; maxBytes: number; batch?: number }): EvictionResult {
    const batch = opts.batch ?? EVICT_BATCH;
    let blobsRemoved = this.sweep(batch * 4);
    const entriesEvicted = this.#tx.run("evict entries", () => {
      let n = Number(this.#expired.run(opts.now, opts.now, batch).changes);
      const bytes = Number((this.#bytes.get() as { bytes: number }).bytes) -
        Number((this.#pending.get() as { n: number }).n);
      let excess = bytes - opts.maxBytes;
      if (excess <= 0) return n;
      const rows = this.#lru.all(opts.now, batch) as { id: number; size_bytes: number }[];
      for (const row of rows) {
        if (excess <= 0) break;
        this.#drop.run(row.id);
        excess -= row.size_bytes;
        n++;
      }
      return n;
    });
    if (entriesEvicted > 0) blobsRemoved += this.sweep(batch * 8);
    return { entriesEvicted, blobsRemoved };
  }

  /** Deletes up to `limit` blobs whose refcount is 0 (file and row, under the write lock). */
  sweep(limit: number): number {
    return this.#tx.run("sweep unreferenced blobs", () => {
      const rows = this.#zero.all(limit) as { digest: string }[];
      for (const { digest } of rows) {
        this.#blobs.remove(digest);
        this.#dropBlob.run(digest);
      }
      return rows.length;
    });
  }
}
