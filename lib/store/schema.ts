/**
 * The index database: opening it with the right pragmas, refusing a database written by
 * a future casher, and creating the schema.
 *
 * Tables:
 * - `entries`: one row per candidate; inputs and the replay body are JSON columns so a
 *   lookup is one query.
 * - `blobs`: every blob the index knows (digest, sizes, refcount). A row with refcount 0
 *   is garbage waiting for the sweep.
 * - `entry_blobs`: which entry references which blob. Triggers keep `blobs.refcount` equal
 *   to the number of references, whatever path deletes an entry.
 * - `memo`: stat fingerprint -> content digest.
 * - `leases`: entries pinned by a reader (never evicted while the lease lives).
 * - `counters`: one row of running totals (hits, misses, saved ms, stored bytes).
 *
 * @module
 */
import { chmodSync, closeSync, openSync, statSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { CasherError } from "../errors/casher_error.ts";
import type { Layout } from "./layout.ts";

/**
 * The schema version this build reads and writes (`PRAGMA user_version`).
 *
 * @example
 * ```ts
 * import { SCHEMA_VERSION } from "./schema.ts";
 * console.log(SCHEMA_VERSION); // 2
 * ```
 */
export const SCHEMA_VERSION = 2;

/**
 * An entry's recorded inputs and body (outputs, streams, result) live beside its row, not
 * in it: SQLite rewrites a whole row on every UPDATE, and a hit updates the entry's counters.
 * With the inputs of a large build in the row (tens of KiB, on overflow pages), that was a
 * rewrite of every one of those pages, and of their WAL frames, on every hit.
 */
const ENTRY_DATA = `CREATE TABLE entry_data(
  id INTEGER PRIMARY KEY,
  inputs TEXT NOT NULL,
  body TEXT NOT NULL
);`;

const ENTRY_DELETED = `CREATE TRIGGER entry_deleted AFTER DELETE ON entries BEGIN
  UPDATE blobs SET refcount = refcount - 1
    WHERE digest IN (SELECT digest FROM entry_blobs WHERE entry_id = OLD.id);
  DELETE FROM entry_blobs WHERE entry_id = OLD.id;
  DELETE FROM leases WHERE entry_id = OLD.id;
  DELETE FROM entry_data WHERE id = OLD.id;
END;`;

/** Version 1 kept `inputs` and `body` in the `entries` row; its entries move over as they are. */
const MIGRATE_FROM_1 = `
${ENTRY_DATA}
INSERT INTO entry_data(id, inputs, body) SELECT id, inputs, body FROM entries;
ALTER TABLE entries DROP COLUMN inputs;
ALTER TABLE entries DROP COLUMN body;
DROP TRIGGER entry_deleted;
${ENTRY_DELETED}
`;

const SCHEMA = `
CREATE TABLE entries(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  key_material TEXT NOT NULL,
  label TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  expires_at INTEGER,
  created_at INTEGER NOT NULL,
  last_used INTEGER NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0,
  saved_ms REAL NOT NULL DEFAULT 0,
  size_bytes INTEGER NOT NULL
);
CREATE INDEX entries_key ON entries(key, id);
${ENTRY_DATA}
CREATE INDEX entries_lru ON entries(last_used);
CREATE TABLE blobs(
  digest TEXT PRIMARY KEY,
  size INTEGER,
  stored_size INTEGER NOT NULL,
  refcount INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX blobs_unreferenced ON blobs(refcount) WHERE refcount <= 0;
CREATE TABLE entry_blobs(
  entry_id INTEGER NOT NULL,
  digest TEXT NOT NULL,
  PRIMARY KEY(entry_id, digest)
) WITHOUT ROWID;
CREATE INDEX entry_blobs_digest ON entry_blobs(digest);
CREATE TABLE memo(path TEXT PRIMARY KEY, fp TEXT NOT NULL, digest TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE leases(
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL,
  pid INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX leases_entry ON leases(entry_id, expires_at);
CREATE TABLE counters(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  hits INTEGER NOT NULL,
  misses INTEGER NOT NULL,
  saved_ms REAL NOT NULL,
  bytes INTEGER NOT NULL
);
INSERT INTO counters VALUES (1, 0, 0, 0, 0);
CREATE TRIGGER entry_blob_added AFTER INSERT ON entry_blobs BEGIN
  UPDATE blobs SET refcount = refcount + 1 WHERE digest = NEW.digest;
END;
${ENTRY_DELETED}
CREATE TRIGGER blob_added AFTER INSERT ON blobs BEGIN
  UPDATE counters SET bytes = bytes + NEW.stored_size WHERE id = 1;
END;
CREATE TRIGGER blob_deleted AFTER DELETE ON blobs BEGIN
  UPDATE counters SET bytes = bytes - OLD.stored_size WHERE id = 1;
END;
CREATE TRIGGER entry_hit AFTER UPDATE OF hits ON entries BEGIN
  UPDATE counters SET hits = hits + (NEW.hits - OLD.hits),
    saved_ms = saved_ms + (NEW.saved_ms - OLD.saved_ms) WHERE id = 1;
END;
`;

/**
 * Opens (creating if needed) the index at `layout.dbPath`: WAL, synchronous=NORMAL,
 * busy_timeout=5000, file mode 0600. A database of an older schema version is migrated in
 * place, its entries kept; one from a future schema version is refused
 * with `schema-unsupported` before anything is written to it; a database that cannot be
 * opened or read raises `cache-unavailable`.
 *
 * @example
 * ```ts
 * import { ensureLayout } from "./layout.ts";
 * import { openIndexDb } from "./schema.ts";
 * const db = openIndexDb(ensureLayout("/tmp/casher-example"));
 * db.close();
 * ```
 */
export function openIndexDb(layout: Layout): DatabaseSync {
  let db: DatabaseSync;
  try {
    // Create the file first so SQLite (and its -wal/-shm files, which copy the
    // database's mode) never exist with a wider mode than 0600.
    const st = statSync(layout.dbPath, { throwIfNoEntry: false });
    if (st === undefined) closeSync(openSync(layout.dbPath, "a", 0o600));
    // Only when needed: a chmod on every open would be a metadata write on every hit.
    if (st === undefined || (st.mode & 0o777) !== 0o600) chmodSync(layout.dbPath, 0o600);
    db = new DatabaseSync(layout.dbPath);
  } catch (cause) {
    throw unavailable(layout, cause);
  }
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    // Read the version BEFORE any pragma that could write (journal_mode rewrites the header).
    const version = readVersion(db);
    checkVersion(layout, version);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    if (version !== SCHEMA_VERSION) createSchema(db, layout);
  } catch (cause) {
    db.close();
    if (cause instanceof CasherError) throw cause;
    throw unavailable(layout, cause);
  }
  return db;
}

function readVersion(db: DatabaseSync): number {
  return Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
}

function checkVersion(layout: Layout, version: number): void {
  if (version <= SCHEMA_VERSION) return;
  throw new CasherError(
    "schema-unsupported",
    `Cache index ${layout.dbPath} has schema version ${version}, but this casher understands ` +
      `only up to version ${SCHEMA_VERSION}; it was left untouched: upgrade casher, or use ` +
      `another cache directory (--cache-dir / CASHER_CACHE_DIR)`,
  );
}

/** Creates the schema in a new database, or brings an older version's up to date. */
function createSchema(db: DatabaseSync, layout: Layout): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    const version = readVersion(db); // another process may have won the race
    checkVersion(layout, version);
    if (version === 0) db.exec(SCHEMA);
    if (version === 1) db.exec(MIGRATE_FROM_1);
    if (version !== SCHEMA_VERSION) db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    db.exec("COMMIT");
  } catch (cause) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw cause;
  }
}

function unavailable(layout: Layout, cause: unknown): CasherError {
  return new CasherError(
    "cache-unavailable",
    `Cannot open the cache index ${layout.dbPath}: ${(cause as Error)?.message ?? cause}; ` +
      `caching is disabled for this run: check the directory's permissions and free space, ` +
      `or remove ${layout.dir} if the index is damaged`,
    { cause },
  );
}
