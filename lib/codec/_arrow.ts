/**
 * Apache Arrow tables via Arrow IPC. `apache-arrow` is imported lazily, on the first
 * table actually encoded or decoded (it costs 50-180 ms to load), never on other values.
 *
 * @module
 */

type Arrow = typeof import("apache-arrow");
let arrow: Promise<Arrow> | undefined;

function load(): Promise<Arrow> {
  arrow ??= import("apache-arrow");
  return arrow;
}

/**
 * Encodes tables to Arrow IPC stream bytes; `null` for a table that cannot be written.
 *
 * @example
 * ```ts
 * import { tablesToIpc } from "./_arrow.ts";
 * await tablesToIpc([]); // []
 * ```
 */
export async function tablesToIpc(tables: readonly unknown[]): Promise<(Uint8Array | null)[]> {
  if (tables.length === 0) return [];
  const a = await load();
  return tables.map((t) => {
    try {
      return a.tableToIPC(t as InstanceType<Arrow["Table"]>, "stream");
    } catch {
      return null;
    }
  });
}

/**
 * Decodes Arrow IPC bytes back to tables.
 *
 * @example
 * ```ts
 * import { tablesFromIpc } from "./_arrow.ts";
 * await tablesFromIpc([]); // []
 * ```
 */
export async function tablesFromIpc(ipc: readonly Uint8Array[]): Promise<unknown[]> {
  if (ipc.length === 0) return [];
  const a = await load();
  return ipc.map((b) => a.tableFromIPC(b));
}
