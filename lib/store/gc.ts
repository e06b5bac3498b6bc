/**
 * `verify` (read-only consistency check) and `gc` (repair): every referenced blob is
 * fully checked, refcounts are compared with the references, and gc drops entries whose
 * blobs are missing or corrupt, deletes unreferenced and orphaned blob files (orphans only
 * once older than the grace period, since a concurrent writer may be about to reference
 * them), stale temp files and stale lock files.
 *
 * @module
 */
import { readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { Tx } from "./_tx.ts";
import type { BlobStore } from "./blob_store.ts";
import type { Evictor } from "./eviction.ts";
import { statPath } from "./fingerprint.ts";
import { removeIfStale } from "./key_lock.ts";
import type { Layout } from "./layout.ts";
import type { Leases } from "./leases.ts";

/**
 * What a gc or verify pass found (and, for gc, fixed).
 *
 * @example
 * ```ts
 * const report: GcReport = await store.gc();
 * if (report.inconsistencies > 0) console.log(`repaired ${report.entriesDropped} entries`);
 * ```
 */
export interface GcReport {
  /** Entries in the index after the pass. */
  readonly entries: number;
  readonly blobsChecked: number;
  /** Referenced blobs whose content does not match their digest. */
  readonly corrupt: number;
  /** Referenced blobs with no file. */
  readonly missing: number;
  readonly orphansRemoved: number;
  readonly tmpRemoved: number;
  readonly entriesDropped: number;
  /** Digest-memo rows dropped because their path no longer exists (gc only). */
  readonly memoPruned: number;
  /** Problems found: bad blobs, refcounts or references that disagree, a wrong byte total. */
  readonly inconsistencies: number;
}

/**
 * What gc/verify work on.
 *
 * @example
 * ```ts
 * // Built by Store from its parts: await store.gc() / await store.verify().
 * ```
 */
export interface GcContext {
  readonly db: DatabaseSync;
  readonly tx: Tx;
  readonly blobs: BlobStore;
  readonly layout: Layout;
  readonly evictor: Evictor;
  readonly leases: Leases;
  readonly now: number;
  /** Unreferenced blob files younger than this are kept (ms). */
  readonly graceMs: number;
  /** Temp and lock-debris files older than this are deleted (ms). */
  readonly tmpMaxAgeMs: number;
}

interface Findings {
  blobsChecked: number;
  bad: Map<string, "corrupt" | "missing">;
  indexProblems: number;
}

const COUNT_REFCOUNT_MISMATCH = "SELECT COUNT(*) AS n FROM blobs b WHERE " +
  "refcount != (SELECT COUNT(*) FROM entry_blobs e WHERE e.digest = b.digest)";
const COUNT_DANGLING = "SELECT " +
  "(SELECT COUNT(*) FROM entry_blobs e WHERE NOT EXISTS " +
  "(SELECT 1 FROM blobs b WHERE b.digest = e.digest)) + " +
  "(SELECT COUNT(*) FROM entry_blobs e WHERE NOT EXISTS " +
  "(SELECT 1 FROM entries x WHERE x.id = e.entry_id)) AS n";
const COUNT_BYTES_WRONG = "SELECT (SELECT bytes FROM counters WHERE id = 1) != " +
  "(SELECT COALESCE(SUM(stored_size), 0) FROM blobs) AS n";

/**
 * Checks the cache without changing it.
 *
 * @example
 * ```ts
 * // const report = await verifyStore(ctx); report.inconsistencies === 0
 * ```
 */
export async function verifyStore(ctx: GcContext): Promise<GcReport> {
  const f = await inspect(ctx);
  return report(ctx, f, { orphansRemoved: 0, tmpRemoved: 0, entriesDropped: 0, memoPruned: 0 });
}

/**
 * Checks the cache and repairs what it finds.
 *
 * @example
 * ```ts
 * // const report = await gcStore(ctx); console.log(report.entriesDropped);
 * ```
 */
export async function gcStore(ctx: GcContext): Promise<GcReport> {
  ctx.leases.purgeExpired(ctx.now);
  const f = await inspect(ctx);
  const entriesDropped = ctx.tx.run("gc: repair index", () => {
    let dropped = 0;
    const drop = ctx.db.prepare(
      "DELETE FROM entries WHERE id IN (SELECT entry_id FROM entry_blobs WHERE digest = ?)",
    );
    for (const [digest, kind] of f.bad) {
      if (kind === "corrupt") ctx.blobs.remove(digest);
      dropped += Number(drop.run(digest).changes);
    }
    dropped += Number(
      ctx.db.prepare(
        "DELETE FROM entries WHERE id IN (SELECT entry_id FROM entry_blobs e WHERE NOT EXISTS " +
          "(SELECT 1 FROM blobs b WHERE b.digest = e.digest)) OR " +
          "(expires_at <= ? AND id NOT IN (SELECT entry_id FROM leases WHERE expires_at > ?))",
      ).run(ctx.now, ctx.now).changes,
    );
    ctx.db.exec(
      "DELETE FROM entry_blobs WHERE entry_id NOT IN (SELECT id FROM entries);" +
        "UPDATE blobs SET refcount = (SELECT COUNT(*) FROM entry_blobs e " +
        "WHERE e.digest = blobs.digest);" +
        "UPDATE counters SET bytes = (SELECT COALESCE(SUM(stored_size), 0) FROM blobs);",
    );
    return dropped;
  });
  while (ctx.evictor.sweep(1000) > 0) { /* until no unreferenced blob is left */ }
  const orphansRemoved = removeOrphans(ctx);
  const tmpRemoved = removeOld(ctx.layout.tmpDir, ctx) + removeLockDebris(ctx);
  const memoPruned = pruneMemo(ctx);
  return report(ctx, f, { orphansRemoved, tmpRemoved, entriesDropped, memoPruned });
}

async function inspect(ctx: GcContext): Promise<Findings> {
  const digests = (ctx.db.prepare("SELECT DISTINCT digest FROM entry_blobs").all() as {
    digest: string;
  }[]).map((r) => r.digest);
  const bad = new Map<string, "corrupt" | "missing">();
  for (const d of digests) {
    const state = await ctx.blobs.verify(d);
    if (state !== "ok") bad.set(d, state);
  }
  const count = (sql: string) => Number((ctx.db.prepare(sql).get() as { n: number }).n);
  const indexProblems = count(COUNT_REFCOUNT_MISMATCH) + count(COUNT_DANGLING) +
    count(COUNT_BYTES_WRONG);
  return { blobsChecked: digests.length, bad, indexProblems };
}

function report(
  ctx: GcContext,
  f: Findings,
  done: { orphansRemoved: number; tmpRemoved: number; entriesDropped: number; memoPruned: number },
): GcReport {
  let corrupt = 0;
  for (const kind of f.bad.values()) if (kind === "corrupt") corrupt++;
  const entries = Number(
    (ctx.db.prepare("SELECT COUNT(*) AS n FROM entries").get() as { n: number }).n,
  );
  return {
    entries,
    blobsChecked: f.blobsChecked,
    corrupt,
    missing: f.bad.size - corrupt,
    ...done,
    inconsistencies: f.bad.size + f.indexProblems,
  };
}

/** Drops memo rows of paths that no longer exist (the memo would otherwise only grow). */
function pruneMemo(ctx: GcContext): number {
  const paths = (ctx.db.prepare("SELECT path FROM memo").all() as { path: string }[])
    .map((r) => r.path).filter((p) => statPath(p).kind === "missing");
  if (paths.length === 0) return 0;
  const drop = ctx.db.prepare("DELETE FROM memo WHERE path = ?");
  return ctx.tx.run("gc: prune digest memo", () => {
    for (const p of paths) drop.run(p);
    return paths.length;
  });
}

function removeOrphans(ctx: GcContext): number {
  const known = ctx.db.prepare("SELECT 1 FROM blobs WHERE digest = ?");
  let removed = 0;
  for (const digest of ctx.blobs.list()) {
    if (known.get(digest) !== undefined) continue;
    if (!isOld(ctx.blobs.pathOf(digest), ctx.now - ctx.graceMs)) continue;
    // Re-check under the write lock: a writer references blobs under that same lock.
    removed += ctx.tx.run("gc: remove orphan blob", () => {
      if (known.get(digest) !== undefined) return 0;
      ctx.blobs.remove(digest);
      return 1;
    });
  }
  return removed;
}

function removeOld(
  dir: string,
  ctx: GcContext,
  { match = () => true }: { readonly match?: (name: string) => boolean } = {},
) {
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!match(name)) continue;
    const path = join(dir, name);
    if (!isOld(path, ctx.now - ctx.tmpMaxAgeMs)) continue;
    try {
      unlinkSync(path);
      removed++;
    } catch { /* raced with its owner */ }
  }
  return removed;
}

function removeLockDebris(ctx: GcContext): number {
  let removed = 0;
  for (const name of readdirSync(ctx.layout.locksDir)) {
    if (name.endsWith(".lock") && removeIfStale(join(ctx.layout.locksDir, name))) removed++;
  }
  return removed + removeOld(ctx.layout.locksDir, ctx, { match: (n) => !n.endsWith(".lock") });
}

function isOld(path: string, cutoff: number): boolean {
  try {
    return statSync(path).mtimeMs < cutoff;
  } catch {
    return false;
  }
}
