/**
 * Leases: a reader pins the entry it is replaying so no process evicts it (or deletes its
 * blobs) until the replay ends. A lease expires on its own, so a reader that dies cannot
 * pin an entry forever.
 *
 * @module
 */
import process from "node:process";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { lazyStatement } from "./_lazy_statement.ts";

/**
 * The result of pinning an entry.
 *
 * @example
 * ```ts
 * const pin = store.pin(entry.id);
 * if (pin.kind === "pinned") {
 *   try {
 *     // replay
 *   } finally {
 *     pin.release();
 *   }
 * }
 * ```
 */
export type Pin =
  /** The entry is protected until `release()` (or the lease's expiry). */
  | { readonly kind: "pinned"; release(): void }
  /** The entry no longer exists (evicted or replaced since it was looked up): treat as a miss. */
  | { readonly kind: "gone" };

/**
 * Default lease lifetime: long enough for any replay, short enough to recover from crashes.
 *
 * @example
 * ```ts
 * import { DEFAULT_LEASE_MS } from "./leases.ts";
 * console.log(DEFAULT_LEASE_MS / 60_000); // 30
 * ```
 */
export const DEFAULT_LEASE_MS = 30 * 60_000;

/**
 * Prepared lease statements (each a single autocommit statement).
 *
 * @example
 * ```ts
 * // Constructed by openStore(); use Store.pin(entryId).
 * ```
 */
export class Leases {
  readonly #add: () => StatementSync;
  readonly #release: () => StatementSync;
  readonly #purge: () => StatementSync;

  /** Prepares the statements on `db`. */
  constructor(db: DatabaseSync) {
    this.#add = lazyStatement(
      db,
      "INSERT INTO leases(entry_id, pid, expires_at) SELECT ?, ?, ? " +
        "WHERE EXISTS (SELECT 1 FROM entries WHERE id = ?)",
    );
    this.#release = lazyStatement(db, "DELETE FROM leases WHERE id = ?");
    this.#purge = lazyStatement(db, "DELETE FROM leases WHERE expires_at <= ?");
  }

  /** Pins `entryId` until released or until `now + ttlMs`. */
  pin(entryId: number, opts: { now: number; ttlMs: number }): Pin {
    const r = this.#add().run(entryId, process.pid, opts.now + opts.ttlMs, entryId);
    if (r.changes === 0) return { kind: "gone" };
    const id = Number(r.lastInsertRowid);
    let released = false;
    return {
      kind: "pinned",
      release: () => {
        if (released) return;
        released = true;
        this.#release().run(id);
      },
    };
  }

  /** Deletes expired leases; returns how many. */
  purgeExpired(now: number): number {
    return Number(this.#purge().run(now).changes);
  }
}
