/**
 * Small named notes kept in a cache directory's index, beside the entries: facts a face
 * learns about its work that must survive the process (the function face remembers which
 * argument paths a function writes, so they are keyed by path, not content).
 *
 * Notes live in their own table (`notes`), created on first use, so the entry schema
 * (and its version) is unchanged and older builds simply ignore it. A note is a hint:
 * losing one costs a miss, never a wrong hit. The table is reached through its own
 * connection so the store's statements are untouched.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { CasherError } from "../errors/casher_error.ts";
import type { Layout } from "./layout.ts";

/**
 * Read and write notes of one cache directory. Opened lazily, closed with {@link close}.
 *
 * @example
 * ```ts ignore
 * const notes = new Notes(store.layout);
 * notes.put("fn-outputs:abc", JSON.stringify(["/tmp/out"]));
 * notes.get("fn-outputs:abc"); // '["/tmp/out"]'
 * notes.close();
 * ```
 */
export class Notes {
  readonly #layout: Layout;
  #db: DatabaseSync | null = null;
  #get: StatementSync | null = null;
  #put: StatementSync | null = null;

  /** Notes of the index at `layout.dbPath` (which must exist: open the store first). */
  constructor(layout: Layout) {
    this.#layout = layout;
  }

  /** The note named `name`, or `null`. Throws `index-failed` when the index is unusable. */
  get(name: string): string | null {
    const row = this.#statements().get.get(name) as { v: string } | undefined;
    return row === undefined ? null : row.v;
  }

  /** Sets the note `name` (replacing it). Throws `index-failed` when the index is unusable. */
  put(name: string, value: string): void {
    this.#statements().put.run(name, value);
  }

  /** Closes the connection (reopened on next use). */
  close(): void {
    if (this.#db?.isOpen) this.#db.close();
    this.#db = this.#get = this.#put = null;
  }

  #statements(): { get: StatementSync; put: StatementSync } {
    if (this.#get !== null && this.#put !== null) return { get: this.#get, put: this.#put };
    try {
      const db = new DatabaseSync(this.#layout.dbPath);
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec(
        "CREATE TABLE IF NOT EXISTS notes(k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID",
      );
      this.#db = db;
      this.#get = db.prepare("SELECT v FROM notes WHERE k = ?");
      this.#put = db.prepare("INSERT OR REPLACE INTO notes(k, v) VALUES (?, ?)");
      return { get: this.#get, put: this.#put };
    } catch (cause) {
      this.close();
      throw new CasherError(
        "index-failed",
        `Cannot use the notes table of ${this.#layout.dbPath}: ${String(cause)}; ` +
          "casher continues without remembered outputs (run `casher gc` if this persists)",
        { cause },
      );
    }
  }
}
