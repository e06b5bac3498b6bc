/**
 * The digest memo: stat fingerprint -> content digest, keyed by path, so validating an
 * unchanged file costs one `stat` instead of a read and a hash.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { lazyStatement } from "./_lazy_statement.ts";
import type { BytePath } from "../path/byte_path.ts";
import type { Tx } from "./_tx.ts";

/**
 * A memo row: the fingerprint a digest was computed under.
 *
 * @example
 * ```ts
 * const row: MemoRow | undefined = memo.get("/usr/include/stdio.h");
 * ```
 */
export interface MemoRow {
  readonly fp: string;
  readonly digest: string;
}

/**
 * Prepared memo statements; reads are batched (one query for many paths) and writes are
 * grouped in one transaction.
 *
 * @example
 * ```ts
 * // Constructed by openStore(); used by Store.digestPath()/validate().
 * ```
 */
export class StatMemo {
  readonly #tx: Tx;
  readonly #getOne: () => StatementSync;
  readonly #getMany: () => StatementSync;
  readonly #put: () => StatementSync;

  /** Prepares the statements on `db`. */
  constructor(db: DatabaseSync, tx: Tx) {
    this.#tx = tx;
    this.#getOne = lazyStatement(db, "SELECT fp, digest FROM memo WHERE path = ?");
    this.#getMany = lazyStatement(
      db,
      "SELECT path, fp, digest FROM memo WHERE path IN (SELECT value FROM json_each(?))",
    );
    // A row that already holds these values is left alone: a re-run records mostly the same
    // inputs, and rewriting identical rows would rewrite their pages too.
    this.#put = lazyStatement(
      db,
      "INSERT INTO memo(path, fp, digest) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET " +
        "fp = excluded.fp, digest = excluded.digest " +
        "WHERE fp != excluded.fp OR digest != excluded.digest",
    );
  }

  /** The memo row of one path, if any. */
  get(path: BytePath): MemoRow | undefined {
    return this.#getOne().get(path) as MemoRow | undefined;
  }

  /** The memo rows of many paths, in one query. */
  getMany(paths: readonly BytePath[]): Map<BytePath, MemoRow> {
    const rows = this.#getMany().all(JSON.stringify(paths)) as unknown as {
      path: string;
      fp: string;
      digest: string;
    }[];
    const map = new Map<BytePath, MemoRow>();
    for (const r of rows) map.set(r.path, r);
    return map;
  }

  /** Writes rows in one transaction. */
  putMany(rows: readonly { path: BytePath; fp: string; digest: string }[]): void {
    if (rows.length === 0) return;
    this.#tx.run("update digest memo", () => this.putInTransaction(rows));
  }

  /** Writes rows inside the caller's transaction. */
  putInTransaction(rows: readonly { path: BytePath; fp: string; digest: string }[]): void {
    for (const r of rows) this.#put().run(r.path, r.fp, r.digest);
  }
}
