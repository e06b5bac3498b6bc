/**
 * Where the hit ledger's batches are written: counts alone are appended to the hit log
 * (`hit_log.ts`, no transaction); a batch that also releases leases or learned memo rows is
 * one transaction. Whoever next reads or changes the counts folds the log into the index
 * in one transaction. A log past {@link HIT_LOG_FOLD_BYTES} is folded by the hit that makes
 * it so, so a cache that only ever hits does not grow it without end.
 *
 * @module
 */
import { logger } from "../log/logger.ts";
import type { Tx } from "./_tx.ts";
import type { EntryTable } from "./entries.ts";
import { appendHits, type LoggedHits, takeHits } from "./hit_log.ts";
import type { LedgerPort } from "./hit_ledger.ts";
import type { StatMemo } from "./stat_memo.ts";
import type { Counters } from "./stats.ts";

const log = logger("store");

/** A hit log longer than this is folded into the index by the hit that makes it so. */
export const HIT_LOG_FOLD_BYTES = 1 << 20;

/** What folding writes to. */
export interface TallyIndex {
  readonly tx: Tx;
  readonly entries: EntryTable;
  readonly counters: Counters;
  readonly memo: StatMemo;
  /** False once the index is closed (nothing is written then). */
  isOpen(): boolean;
}

/**
 * The hit log of one store, and its fold into the index.
 *
 * @example
 * ```ts ignore
 * const tally = new HitTally(layout.hitLogPath, { tx, entries, counters, memo, isOpen });
 * tally.write({ releases: [], hits: [[1, { count: 1, savedMs: 120, now: Date.now() }]], memo: [] });
 * tally.fold(); // before stats, ls, eviction ...
 * ```
 */
export class HitTally {
  readonly #path: string;
  readonly #index: TallyIndex;

  /** A tally over the log at `path`, folding into `index`. */
  constructor(path: string, index: TallyIndex) {
    this.#path = path;
    this.#index = index;
  }

  /** Writes one ledger batch (see the module doc); a failure loses statistics only. */
  write(batch: Parameters<LedgerPort["write"]>[0]): void {
    if (!this.#index.isOpen()) return;
    const { releases, hits, memo } = batch;
    const logged = hits.map(([entryId, h]) => ({ entryId, ...h }));
    if (releases.length === 0 && memo.length === 0 && this.#append(logged)) return;
    const { tx, entries } = this.#index;
    try {
      tx.run("record hits", () => {
        for (const pin of releases) if (pin.kind === "pinned") pin.release();
        for (const h of logged) entries.recordHit(h.entryId, h);
        this.#index.memo.putInTransaction(memo);
      });
    } catch (e) {
      // Statistics and LRU order only: losing them changes no result.
      log.debug("hit counts not recorded: {error}", { error: String(e) });
    }
  }

  /** Appends hits to the log; false when it cannot be written (count them in the index). */
  #append(hits: readonly LoggedHits[]): boolean {
    let size: number;
    try {
      size = appendHits(this.#path, hits);
    } catch (e) {
      log.debug("hit log not written ({error}); counting in the index", { error: String(e) });
      return false;
    }
    // About once in 40,000 hits.
    if (size > HIT_LOG_FOLD_BYTES) this.fold();
    return true;
  }

  /** Applies the hit log to the index (before anything reads or changes the counts). */
  fold(): void {
    if (!this.#index.isOpen()) return;
    let taken;
    try {
      taken = takeHits(this.#path);
    } catch (e) {
      log.debug("hit log not read: {error}", { error: String(e) });
      return;
    }
    if (taken.skipped > 0) log.debug("hit log: {n} torn lines skipped", { n: taken.skipped });
    if (taken.hits.length === 0) return taken.done();
    const { tx, entries, counters } = this.#index;
    try {
      tx.run("fold hit log", () => {
        for (const h of taken.hits) {
          if (!entries.recordHit(h.entryId, h)) counters.addHits(h.count, h.savedMs);
        }
      });
      taken.done();
    } catch (e) {
      // Left in its fold file: applied by a later fold once this process has exited.
      log.debug("hit log not folded: {error}", { error: String(e) });
    }
  }
}
