/**
 * `casher stats [--json]`: hits, misses, hit rate, entries, bytes stored, time saved.
 *
 * @module
 */
import process from "node:process";
import type { Store } from "../store/store.ts";
import { bar, formatBytes, formatDuration } from "./format.ts";

/**
 * Prints the cache's statistics.
 *
 * @example
 * ```ts ignore
 * statsCommand(store, { json: false });
 * ```
 */
export function statsCommand(
  store: Store,
  options: { json: boolean; maxCacheBytes: number },
): number {
  const s = store.stats();
  const lookups = s.hits + s.misses;
  const hitRate = lookups === 0 ? 0 : s.hits / lookups;
  if (options.json) {
    process.stdout.write(
      JSON.stringify({ ...s, hitRate, maxCacheBytes: options.maxCacheBytes }) + "\n",
    );
    return 0;
  }
  const rows = [
    `hits      ${bar(hitRate, 20)} ${s.hits}`,
    `misses    ${bar(lookups === 0 ? 0 : s.misses / lookups, 20)} ${s.misses}`,
    `hit rate  ${(hitRate * 100).toFixed(1)}%`,
    `entries   ${s.entries}`,
    `stored    ${bar(s.bytes / options.maxCacheBytes, 20)} ${formatBytes(s.bytes)} of ${
      formatBytes(options.maxCacheBytes)
    }`,
    `saved     ${formatDuration(s.savedMs)}`,
  ];
  process.stdout.write(rows.join("\n") + "\n");
  return 0;
}
