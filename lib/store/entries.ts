/**
 * The `entries` table: candidate lookup, storing a candidate (with its blob references,
 * de-duplication and the per-key cap), hit bookkeeping, listing and removal.
 *
 * Entries pinned by a live lease are never deleted here (see `leases.ts`); they are
 * removed by a later call once the lease is released or has expired.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { lazyStatement } from "./_lazy_statement.ts";
import { CasherError } from "../errors/casher_error.ts";
import {
  decodeEntry,
  encodeBody,
  encodeInputs,
  type EntryRow,
  referencedBlobs,
  SELECT_ENTRIES,
} from "./_entry_codec.ts";
import type { Tx } from "./_tx.ts";
import type { Entry, EntryDraft } from "./types.ts";

/**
 * Which entries `removeEntries` deletes; every given field must match.
 *
 * @example
 * ```ts
 * store.removeEntries({ labelPrefix: "make ", olderThanMs: 7 * 86_400_000 });
 * ```
 */
export interface EntryFilter {
  /** Exactly this key. */
  readonly key?: string;
  /** Labels starting with this text. */
  readonly labelPrefix?: string;
  /** Not used (hit or stored) for at least this many ms. */
  readonly olderThanMs?: number;
}

/**
 * Reports the stored size of a blob on disk, or `null` when it is absent.
 *
 * @example
 * ```ts
 * const sizer: BlobSizer = (digest) => blobs.storedSize(digest);
 * ```
 */
export type BlobSizer = (digest: string) => number | null;

/**
 * SQL: ids of entries pinned by a live lease (bind: now).
 *
 * @example
 * ```ts
 * db.prepare(`SELECT id FROM entries WHERE id NOT IN (${LEASED})`).all(Date.now());
 * ```
 */
export const LEASED = "SELECT entry_id FROM leases WHERE expires_at > ?";

/**
 * Prepared statements over `entries`, `blobs` and `entry_blobs`.
 *
 * @example
 * ```ts
 * // Constructed by openStore(); use Store.candidates()/putEntry() instead.
 * ```
 */
export class EntryTable {
  readonly #tx: Tx;
  readonly #candidates: () => StatementSync;
  readonly #insert: () => StatementSync;
  readonly #insertData: () => StatementSync;
  readonly #dropSame: () => StatementSync;
  readonly #cap: () => StatementSync;
  readonly #addBlob: () => StatementSync;
  readonly #addRef: () => StatementSync;
  readonly #hit: () => StatementSync;
  readonly #list: () => StatementSync;
  readonly #exists: () => StatementSync;
  readonly #db: DatabaseSync;

  /** Prepares every statement once. */
  constructor(db: DatabaseSync, tx: Tx) {
    this.#db = db;
    this.#tx = tx;
    this.#candidates = lazyStatement(
      db,
      `${SELECT_ENTRIES} WHERE e.key = ? ` +
        `AND (e.expires_at IS NULL OR e.expires_at > ?) ORDER BY e.id DESC`,
    );
    this.#insert = lazyStatement(
      db,
      "INSERT INTO entries(key, key_material, label, duration_ms, expires_at, " +
        "created_at, last_used, size_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertData = lazyStatement(
      db,
      "INSERT INTO entry_data(id, inputs, body) VALUES (?, ?, ?)",
    );
    this.#dropSame = lazyStatement(
      db,
      `DELETE FROM entries WHERE id IN (SELECT e.id FROM entries e JOIN entry_data d ` +
        `ON d.id = e.id WHERE e.key = ? AND d.inputs = ?) AND id NOT IN (${LEASED})`,
    );
    this.#cap = lazyStatement(
      db,
      `DELETE FROM entries WHERE key = ? AND id NOT IN ` +
        `(SELECT id FROM entries WHERE key = ? ORDER BY id DESC LIMIT ?) ` +
        `AND id NOT IN (${LEASED})`,
    );
    this.#addBlob = lazyStatement(
      db,
      "INSERT INTO blobs(digest, size, stored_size, refcount) VALUES (?, ?, ?, 0) " +
        "ON CONFLICT(digest) DO NOTHING",
    );
    this.#addRef = lazyStatement(db, "INSERT INTO entry_blobs(entry_id, digest) VALUES (?, ?)");
    this.#hit = lazyStatement(
      db,
      // MAX: hit-log folds apply hits later than others counted directly, never backwards.
      "UPDATE entries SET hits = hits + ?, last_used = MAX(last_used, ?), " +
        "saved_ms = saved_ms + ? WHERE id = ?",
    );
    this.#list = lazyStatement(db, `${SELECT_ENTRIES} ORDER BY e.id DESC`);
    this.#exists = lazyStatement(db, "SELECT 1 AS x FROM entries WHERE id = ? AND created_at = ?");
  }

  /**
   * Unexpired candidates of `key`, most recent first: one query, each row decoded only when
   * reached (a lookup whose first candidate hits decodes one entry, not all of them).
   */
  *candidates(key: string, now: number): Generator<Entry> {
    for (const row of this.#candidates().all(key, now) as unknown as EntryRow[]) {
      yield decodeEntry(row);
    }
  }

  /**
   * Stores a candidate in one transaction: blob rows and references, the row itself,
   * replacing a candidate with identical inputs and dropping the oldest beyond `maxCandidates`.
   * Every referenced blob must exist on disk (checked under the write lock, so a concurrent
   * sweep cannot delete it between the check and the commit), else `blob-missing`.
   */
  put(draft: EntryDraft, opts: { now: number; maxCandidates: number; sizer: BlobSizer }): number {
    const blobs = referencedBlobs(draft);
    const inputs = encodeInputs(draft);
    const body = encodeBody(draft);
    return this.#tx.run("store entry", () => {
      let total = 0;
      const stored = new Map<string, number>();
      for (const digest of blobs.keys()) {
        const size = opts.sizer(digest);
        if (size === null) {
          throw new CasherError(
            "blob-missing",
            `Cannot store entry "${draft.label}": blob ${digest} is not in the blob store ` +
              `(removed concurrently?); the result was not cached: store its blobs again and retry`,
          );
        }
        stored.set(digest, size);
        total += size;
      }
      this.#dropSame().run(draft.key, inputs, opts.now);
      const id = Number(
        this.#insert().run(
          draft.key,
          draft.keyMaterial,
          draft.label,
          draft.durationMs,
          draft.expiresAt,
          opts.now,
          opts.now,
          total,
        ).lastInsertRowid,
      );
      this.#insertData().run(id, inputs, body);
      for (const [digest, size] of blobs) {
        this.#addBlob().run(digest, size, stored.get(digest)!);
        this.#addRef().run(id, digest);
      }
      this.#cap().run(draft.key, draft.key, opts.maxCandidates, opts.now);
      return id;
    });
  }

  /**
   * Counts a hit on `id` (one statement; a trigger updates the global counters). False
   * when the entry is gone (nothing was counted).
   */
  recordHit(id: number, opts: { now: number; savedMs: number; count?: number }): boolean {
    return Number(this.#hit().run(opts.count ?? 1, opts.now, opts.savedMs, id).changes) > 0;
  }

  /**
   * Whether `entry` still exists: the row of its id, stored at its time (SQLite may give a
   * deleted entry's id to the next one stored).
   */
  exists(entry: { readonly id: number; readonly createdAt: number }): boolean {
    return this.#exists().get(entry.id, entry.createdAt) !== undefined;
  }

  /** Every entry, most recent first (expired ones included). */
  list(): Entry[] {
    return (this.#list().all() as unknown as EntryRow[]).map(decodeEntry);
  }

  /** Deletes the entries matching `filter` (all when empty) that are not leased. */
  remove(filter: EntryFilter, now: number): number {
    const where: string[] = [`id NOT IN (${LEASED})`];
    const args: (string | number)[] = [now];
    if (filter.key !== undefined) {
      where.push("key = ?");
      args.push(filter.key);
    }
    if (filter.labelPrefix !== undefined) {
      where.push("substr(label, 1, length(?)) = ?");
      args.push(filter.labelPrefix, filter.labelPrefix);
    }
    if (filter.olderThanMs !== undefined) {
      where.push("last_used <= ?");
      args.push(now - filter.olderThanMs);
    }
    return this.#tx.run(
      "remove entries",
      () =>
        Number(
          this.#db.prepare(`DELETE FROM entries WHERE ${where.join(" AND ")}`).run(...args)
            .changes,
        ),
    );
  }
}
