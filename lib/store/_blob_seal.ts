/**
 * The native seal of a whole blob: SHA-256 over the blob's name and its content (see
 * `_blob_format.ts`). Computed with the runtime's native SHA-256 (`lib/runtime/native_hash.ts`).
 *
 * @module
 */
import { sha256 } from "../runtime/native_hash.ts";
import { BLOB_SEAL_SIZE } from "./_blob_format.ts";

/**
 * An incremental seal computation for the blob named `digest`.
 *
 * @example
 * ```ts
 * import { sealer } from "./_blob_seal.ts";
 * const s = sealer("06b05ab6733a618578af5f94892f3950");
 * s.update(new TextEncoder().encode("abc"));
 * s.seal().length; // 16
 * ```
 */
export function sealer(digest: string): { update(piece: Uint8Array): void; seal(): Uint8Array } {
  const h = sha256().update(digest, "latin1");
  return {
    update: (piece) => void h.update(piece),
    seal: () => h.digest().subarray(0, BLOB_SEAL_SIZE),
  };
}

/**
 * Constant-shape comparison of two seals.
 *
 * @example
 * ```ts
 * import { sameSeal } from "./_blob_seal.ts";
 * sameSeal(new Uint8Array(16), new Uint8Array(16)); // true
 * ```
 */
export function sameSeal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
