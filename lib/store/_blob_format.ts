/**
 * The 16-byte header at the start of every blob file:
 *
 * ```
 * offset 0  "CSHB"           magic
 * offset 4  u8 kind          0 = raw payload, 1 = LZ4 frame payload
 * offset 5  u8 flags         bit 0: a 16-byte seal follows the header
 * offset 6  2 bytes          reserved, zero
 * offset 8  u64 LE size      uncompressed size of the content
 * offset 16 [16-byte seal]   SHA-256(digest name ‖ content), first 16 bytes (if flagged)
 *           payload
 * ```
 *
 * The explicit kind means a raw blob is never mistaken for LZ4 (or the reverse).
 *
 * The seal lets a whole (in-memory sized) blob be verified on read with the runtime's
 * native SHA-256 instead of loading the WASM XXH3 hasher, which costs more than a whole
 * cache hit. It binds the content to the blob's *name*, so a blob whose bytes are intact
 * but sit under another digest's name still fails verification.
 *
 * @module
 */

/** Bytes of the blob header. */
export const BLOB_HEADER_SIZE = 16;

/** How a blob's payload is stored. */
export type BlobKind = "raw" | "lz4";

/** Bytes of the optional seal after the header. */
export const BLOB_SEAL_SIZE = 16;

/** A parsed blob header. */
export interface BlobHeader {
  readonly kind: BlobKind;
  readonly size: number;
  /** Whether a seal follows the header (the payload then starts after it). */
  readonly sealed: boolean;
}

/**
 * Offset of the payload in a blob file.
 *
 * @example
 * ```ts
 * import { payloadOffset } from "./_blob_format.ts";
 * payloadOffset({ kind: "raw", size: 3, sealed: true }); // 32
 * ```
 */
export function payloadOffset(header: BlobHeader): number {
  return BLOB_HEADER_SIZE + (header.sealed ? BLOB_SEAL_SIZE : 0);
}

const MAGIC = [0x43, 0x53, 0x48, 0x42]; // "CSHB"

/**
 * Builds a blob header.
 *
 * @example
 * ```ts
 * import { encodeBlobHeader } from "./_blob_format.ts";
 * encodeBlobHeader({ kind: "lz4", size: 1000, sealed: false }).length; // 16
 * ```
 */
export function encodeBlobHeader(header: BlobHeader): Uint8Array {
  const b = new Uint8Array(BLOB_HEADER_SIZE);
  b.set(MAGIC, 0);
  b[4] = kindByte(header.kind);
  b[5] = header.sealed ? 1 : 0;
  new DataView(b.buffer).setBigUint64(8, BigInt(header.size), true);
  return b;
}

function kindByte(kind: BlobKind): number {
  switch (kind) {
    case "raw":
      return 0;
    case "lz4":
      return 1;
  }
}

/**
 * Parses a blob header; a string says why it is invalid.
 *
 * @example
 * ```ts
 * import { decodeBlobHeader, encodeBlobHeader } from "./_blob_format.ts";
 * decodeBlobHeader(encodeBlobHeader({ kind: "raw", size: 3, sealed: false }));
 * // { kind: "raw", size: 3, sealed: false }
 * ```
 */
export function decodeBlobHeader(b: Uint8Array): BlobHeader | string {
  if (b.length < BLOB_HEADER_SIZE) return `file is ${b.length} bytes, shorter than its header`;
  for (let i = 0; i < 4; i++) if (b[i] !== MAGIC[i]) return "bad magic (not a casher blob)";
  if (b[5] > 1 || b[6] | b[7]) return "reserved header bytes are not zero";
  const sealed = b[5] === 1;
  const size = new DataView(b.buffer, b.byteOffset, b.length).getBigUint64(8, true);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) return `declared size ${size} is too large`;
  switch (b[4]) {
    case 0:
      return { kind: "raw", size: Number(size), sealed };
    case 1:
      return { kind: "lz4", size: Number(size), sealed };
    default:
      return `unknown payload kind ${b[4]}`;
  }
}
