/**
 * The digest that names a cache key. It runs on every call, hit or miss, so it uses the
 * runtime's native SHA-256 (`lib/runtime/native_hash.ts`) instead of loading the WASM content hasher:
 * the hit path must not pay for a WASM instantiation. Keys only index candidates; the
 * full key material is stored and compared, so a collision is a miss, never a wrong hit.
 *
 * @module
 */
import { sha256Hex } from "../runtime/native_hash.ts";

/**
 * Hex digest (32 chars) of canonical key material.
 *
 * @example
 * ```ts
 * import { keyDigest } from "./key_digest.ts";
 * keyDigest('["casher-command/1",["echo","hi"]]').length; // 32
 * ```
 */
export function keyDigest(material: string | Uint8Array): string {
  return sha256Hex(material).slice(0, 32);
}
