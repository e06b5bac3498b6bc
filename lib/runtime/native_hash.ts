/**
 * SHA-256 from the runtime's native code, loaded on first use. Under Bun it is
 * `Bun.CryptoHasher`: loading `node:crypto` there costs about 2 ms of process start,
 * which is a third of a cache hit. Elsewhere it is `node:crypto`, fetched through
 * `process.getBuiltinModule` only when first needed. Both give the same bytes.
 *
 * @module
 */
import process from "node:process";

/** An incremental SHA-256. */
export interface Sha256 {
  /** Adds bytes, or a string's bytes in `encoding` (default UTF-8). */
  update(data: Uint8Array | string, encoding?: "utf8" | "latin1"): Sha256;
  /** The digest; the hasher cannot be used afterwards. */
  digest(): Uint8Array;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

type Factory = () => Sha256;
let factory: Factory | undefined;

function load(): Factory {
  if (typeof g.Bun?.CryptoHasher === "function") {
    const Hasher = g.Bun.CryptoHasher;
    return () => {
      const h = new Hasher("sha256");
      const self: Sha256 = {
        update(data, encoding) {
          h.update(data, typeof data === "string" ? encoding ?? "utf8" : undefined);
          return self;
        },
        digest: () => new Uint8Array(h.digest()),
      };
      return self;
    };
  }
  const { createHash } = process.getBuiltinModule("node:crypto") as typeof import("node:crypto");
  return () => {
    const h = createHash("sha256");
    const self: Sha256 = {
      update(data, encoding) {
        if (typeof data === "string") h.update(data, encoding ?? "utf8");
        else h.update(data);
        return self;
      },
      digest: () => new Uint8Array(h.digest()),
    };
    return self;
  };
}

/**
 * A new incremental SHA-256.
 *
 * @example
 * ```ts
 * import { sha256 } from "./native_hash.ts";
 * const d = sha256().update("abc").digest();
 * d.length; // 32
 * ```
 */
export function sha256(): Sha256 {
  factory ??= load();
  return factory();
}

/**
 * The SHA-256 of `data` as lowercase hex.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./native_hash.ts";
 * sha256Hex("abc").slice(0, 8); // "ba7816bf"
 * ```
 */
export function sha256Hex(data: Uint8Array | string): string {
  const d = sha256().update(data).digest();
  let hex = "";
  for (let i = 0; i < d.length; i++) hex += (d[i] < 16 ? "0" : "") + d[i].toString(16);
  return hex;
}
