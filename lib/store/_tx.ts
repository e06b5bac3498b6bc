/**
 * Write transactions on the index. Every one starts with `BEGIN IMMEDIATE`: a deferred
 * `BEGIN` that reads and then writes can fail with "database is locked" under two writers
 * (the busy handler cannot help a stale read snapshot); IMMEDIATE takes the write lock up
 * front and waits on the busy timeout instead.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { lazyStatement } from "./_lazy_statement.ts";
import { CasherError } from "../errors/casher_error.ts";

/**
 * Prepared BEGIN/COMMIT/ROLLBACK statements of one connection.
 *
 * @example
 * ```ts
 * const tx = new Tx(db);
 * tx.run("bump", () => db.exec("UPDATE counters SET misses = misses + 1"));
 * ```
 */
export class Tx {
  readonly #begin: () => StatementSync;
  readonly #commit: () => StatementSync;
  readonly #rollback: () => StatementSync;
  readonly #db: DatabaseSync;

  /** Prepares the statements on `db`. */
  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#begin = lazyStatement(db, "BEGIN IMMEDIATE");
    this.#commit = lazyStatement(db, "COMMIT");
    this.#rollback = lazyStatement(db, "ROLLBACK");
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE ... COMMIT`; rolls back and rethrows on error. */
  run<T>(what: string, fn: () => T): T {
    try {
      this.#begin().run();
    } catch (cause) {
      throw indexError(what, cause);
    }
    let result: T;
    try {
      result = fn();
      this.#commit().run();
    } catch (cause) {
      if (this.#db.isTransaction) {
        try {
          this.#rollback().run();
        } catch { /* the original error matters more */ }
      }
      throw cause instanceof CasherError ? cause : indexError(what, cause);
    }
    return result;
  }
}

/**
 * Wraps a SQLite failure in a CasherError("index-failed") saying what was attempted.
 *
 * @example
 * ```ts
 * import { indexError } from "./_tx.ts";
 * indexError("look up", new Error("disk I/O error")).code; // "index-failed"
 * ```
 */
export function indexError(what: string, cause: unknown): CasherError {
  return new CasherError(
    "index-failed",
    `Cache index operation failed (${what}): ${(cause as Error)?.message ?? cause}; ` +
      `the command still runs uncached: run \`casher gc\`, or remove the cache directory ` +
      `if the error persists`,
    { cause },
  );
}
