/**
 * `casher rm <key>... | --cmd PREFIX | --older-than DURATION`: removes entries.
 * Keys may be abbreviated to any unique prefix (as `casher ls` shows them).
 *
 * @module
 */
import process from "node:process";
import { CasherError } from "../errors/casher_error.ts";
import type { Store } from "../store/store.ts";

/**
 * Removes the matching entries and prints how many went.
 *
 * @example
 * ```ts ignore
 * rmCommand(store, { keys: ["3fa2c1d0"], cmdPrefix: null, olderThanMs: null });
 * ```
 */
export function rmCommand(
  store: Store,
  request: { keys: readonly string[]; cmdPrefix: string | null; olderThanMs: number | null },
): number {
  let removed = 0;
  if (request.keys.length > 0) {
    const all = [...new Set(store.listEntries().map((e) => e.key))];
    for (const prefix of request.keys) {
      const matches = all.filter((k) => k.startsWith(prefix));
      if (matches.length === 0) {
        throw new CasherError(
          "usage",
          `no entry has a key starting with "${prefix}" (see casher ls)`,
        );
      }
      if (matches.length > 1) {
        throw new CasherError(
          "usage",
          `"${prefix}" matches ${matches.length} keys: give more characters`,
        );
      }
      removed += store.removeEntries({ key: matches[0] });
    }
  }
  if (request.cmdPrefix !== null || request.olderThanMs !== null) {
    removed += store.removeEntries({
      ...(request.cmdPrefix === null ? {} : { labelPrefix: request.cmdPrefix }),
      ...(request.olderThanMs === null ? {} : { olderThanMs: request.olderThanMs }),
    });
  }
  process.stdout.write(`removed ${removed} ${removed === 1 ? "entry" : "entries"}\n`);
  return 0;
}
