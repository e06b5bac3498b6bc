/**
 * Statements prepared on first use. A process that opens the index for one hit uses two or
 * three of the store's statements; preparing all of them up front cost half a millisecond.
 *
 * @module
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

/**
 * A getter that prepares `sql` on `db` the first time it is called.
 *
 * @example
 * ```ts ignore
 * const byKey = lazyStatement(db, "SELECT id FROM entries WHERE key = ?");
 * byKey().all("0123abcd");
 * ```
 */
export function lazyStatement(db: DatabaseSync, sql: string): () => StatementSync {
  let statement: StatementSync | undefined;
  return () => statement ??= db.prepare(sql);
}
