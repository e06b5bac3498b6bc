/**
 * `casher gc`, `casher verify` and `casher clear`.
 *
 * @module
 */
import process from "node:process";
import type { Store } from "../store/store.ts";

/**
 * `gc`: verifies blobs, drops broken entries, deletes orphans and stale temp files.
 *
 * @example
 * ```ts ignore
 * await gcCommand(store);
 * ```
 */
export async function gcCommand(store: Store): Promise<number> {
  const report = await store.gc();
  process.stdout.write(formatReport(report) + "\n");
  return 0;
}

/**
 * `verify`: checks everything without repairing; exit 1 when problems were found.
 *
 * @example
 * ```ts ignore
 * const code = await verifyCommand(store);
 * ```
 */
export async function verifyCommand(store: Store): Promise<number> {
  const report = await store.verify();
  process.stdout.write(formatReport(report) + "\n");
  return report.inconsistencies === 0 ? 0 : 1;
}

/**
 * `clear`: removes every entry and its blobs.
 *
 * @example
 * ```ts ignore
 * clearCommand(store);
 * ```
 */
export function clearCommand(store: Store): number {
  const before = store.stats().entries;
  store.clear();
  process.stdout.write(`cleared ${before} ${before === 1 ? "entry" : "entries"}\n`);
  return 0;
}

function formatReport(report: object): string {
  return Object.entries(report).map(([k, v]) => `${k}: ${v}`).join("\n");
}
