/**
 * `casher ls [--json]`: stored entries with command, age, size, last use and hit count.
 *
 * @module
 */
import process from "node:process";
import type { Store } from "../store/store.ts";
import { formatBytes, formatDuration } from "./format.ts";

/**
 * Prints every entry, most recently used first.
 *
 * @example
 * ```ts ignore
 * lsCommand(store, { json: true });
 * ```
 */
export function lsCommand(store: Store, options: { json: boolean; now?: number }): number {
  const now = options.now ?? Date.now();
  const entries = [...store.listEntries()].sort((a, b) => b.lastUsedAt - a.lastUsedAt);
  if (options.json) {
    const rows = entries.map((e) => ({
      key: e.key,
      id: e.id,
      command: e.label,
      createdAt: e.createdAt,
      lastUsedAt: e.lastUsedAt,
      sizeBytes: e.sizeBytes,
      hits: e.hits,
      durationMs: e.durationMs,
      expiresAt: e.expiresAt,
    }));
    process.stdout.write(JSON.stringify(rows) + "\n");
    return 0;
  }
  if (entries.length === 0) {
    process.stdout.write("no entries\n");
    return 0;
  }
  process.stdout.write("KEY       AGE        SIZE       LAST USE   HITS  COMMAND\n");
  for (const e of entries) {
    process.stdout.write(
      [
        e.key.slice(0, 8),
        formatDuration(now - e.createdAt).padEnd(10),
        formatBytes(e.sizeBytes).padEnd(10),
        formatDuration(now - e.lastUsedAt).padEnd(10),
        String(e.hits).padStart(4),
        " " + e.label,
      ].join(" ") + "\n",
    );
  }
  return 0;
}
