/**
 * The 16-byte header at the start of every blob file:
 *
 * ```
 * offset 0  "CSHB"           magic
 * offset 4  u8 kind          0 = raw payload, 1 = LZ4 frame payload
 * offset 5  3 bytes          reserved, zero
 * offset 8  u64 LE size      uncompressed size of the content
 * offset 16 payload
 * ```
 *
 * The explicit kind means a raw blob is never mistaken for LZ4 (or the reverse).
 *
 * @module
 */

/** Bytes of the blob header. */
export const BLOB_HEADER_SIZE = 16;

/** How a blob's payload is stored. */
export type BlobKind = "raw" | "lz4";

/** A parsed blob header. */
export interface BlobHeader {
  readonly kind: BlobKind;
  readonly size: number;
}

const MAGIC = [0x43, 0x53, 0x48, 0x42]; // "CSHB"

/**
 * Builds a blob header.
 *
 * @example
 * ```ts
 * import { encodeBlobHeader } from "./_blob_format.ts";
 * encodeBlobHeader({ kind: "lz4", size: 1000 }).length; // 16
 * ```
 */
export function encodeBlobHeader(header: BlobHeader): Uint8Array {
  const b = new Uint8Array(BLOB_HEADER_SIZE);
  b.set(MAGIC, 0);
  b[4] = kindByte(header.kind);
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
 * decodeBlobHeader(encodeBlobHeader({ kind: "raw", size: 3 })); // { kind: "raw", size: 3 }
 * ```
 */
export function decodeBlobHeader(b: Uint8Array): BlobHeader | string {
  if (b.length < BLOB_HEADER_SIZE) return `file is ${b.length} bytes, shorter than its header`;
  for (let i = 0; i < 4; i++) if (b[i] !== MAGIC[i]) return "bad magic (not a casher blob)";
  if (b[5] | b[6] | b[7]) return "reserved header bytes are not zero";
  const size = new DataView(b.buffer, b.byteOffset, b.length).getBigUint64(8, true);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) return `declared size ${size} is too large`;
  switch (b[4]) {
    case 0:
      return { kind: "raw", size: Number(size) };
    case 1:
      return { kind: "lz4", size: Number(size) };
    default:
      return `unknown payload kind ${b[4]}`;
  }
}
