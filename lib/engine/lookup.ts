/**
 * Lookup: the candidates of a key, most recent first; the first whose key material is
 * identical and whose recorded inputs all still match is a hit.
 *
 * @module
 */
import type { Store } from "../store/store.ts";
import type { Entry } from "../store/types.ts";
import type { MissReason } from "./types.ts";

/** The result of a lookup. */
export type LookupResult =
  | { readonly kind: "hit"; readonly entry: Entry }
  | { readonly kind: "miss"; readonly reason: MissReason };

/**
 * Finds a candidate of `key` whose inputs all still match.
 *
 * @example
 * ```ts ignore
 * const found = await lookup(store, { key, keyMaterial });
 * if (found.kind === "hit") console.log(found.entry.id);
 * ```
 */
export async function lookup(
  store: Store,
  work: { readonly key: string; readonly keyMaterial: string },
  options: { now?: number } = {},
): Promise<LookupResult> {
  let reason: MissReason = { kind: "absent" };
  for (const entry of store.eachCandidate(work.key, { now: options.now ?? Date.now() })) {
    if (entry.keyMaterial !== work.keyMaterial) continue; // a hash collision is a miss
    const mismatch = await store.validate(entry.inputs);
    if (mismatch === null) return { kind: "hit", entry };
    if (reason.kind === "absent") reason = { kind: "input-changed", entry, mismatch };
  }
  return { kind: "miss", reason };
}
