/**
 * Constants and small parsers of the LZ4 frame format
 * (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md).
 *
 * @module
 */

/** Magic number of an LZ4 frame (little-endian on disk). */
export const LZ4_MAGIC = 0x184d2204;
/** Skippable frames use magics 0x184D2A50..0x184D2A5F. */
export const SKIPPABLE_MASK = 0xfffffff0;
/** Base of the skippable frame magics. */
export const SKIPPABLE_BASE = 0x184d2a50;
/** High bit of a block size field: the block is stored uncompressed. */
export const UNCOMPRESSED_BIT = 0x80000000;

/** FLG bits. */
export const FLG_VERSION = 0x40;
export const FLG_VERSION_MASK = 0xc0;
export const FLG_BLOCK_INDEPENDENT = 0x20;
export const FLG_BLOCK_CHECKSUM = 0x10;
export const FLG_CONTENT_SIZE = 0x08;
export const FLG_CONTENT_CHECKSUM = 0x04;
export const FLG_RESERVED = 0x02;
export const FLG_DICT_ID = 0x01;

/** Block maximum sizes by BD code (bits 6-4 of the BD byte). */
export const BLOCK_SIZES: Readonly<Record<number, number>> = {
  4: 64 << 10,
  5: 256 << 10,
  6: 1 << 20,
  7: 4 << 20,
};

/** A supported block maximum size in bytes. */
export type Lz4BlockSize = 65536 | 262144 | 1048576 | 4194304;

/**
 * The BD code of a block maximum size.
 *
 * @example
 * ```ts
 * import { blockSizeCode } from "./_lz4_format.ts";
 * blockSizeCode(4194304); // 7
 * ```
 */
export function blockSizeCode(size: Lz4BlockSize): number {
  switch (size) {
    case 65536:
      return 4;
    case 262144:
      return 5;
    case 1048576:
      return 6;
    case 4194304:
      return 7;
  }
}

/** A parsed frame descriptor. */
export interface FrameDescriptor {
  readonly blockMax: number;
  readonly blockChecksum: boolean;
  readonly contentChecksum: boolean;
  /** Declared content size, or `null` when the frame does not carry one. */
  readonly contentSize: number | null;
  /** Length of the descriptor in bytes, header checksum excluded. */
  readonly length: number;
}

/**
 * Descriptor length implied by an FLG byte (FLG + BD + optional size + optional dict id).
 *
 * @example
 * ```ts
 * import { descriptorLength } from "./_lz4_format.ts";
 * descriptorLength(0x64); // 2
 * ```
 */
export function descriptorLength(flg: number): number {
  return 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
}

/**
 * Parses a frame descriptor (starting at FLG, without the header checksum byte).
 * Returns a reason string for anything casher does not support.
 *
 * @example
 * ```ts
 * import { parseDescriptor } from "./_lz4_format.ts";
 * parseDescriptor(new Uint8Array([0x64, 0x70])); // { blockMax: 4194304, ... }
 * ```
 */
export function parseDescriptor(d: Uint8Array): FrameDescriptor | string {
  const flg = d[0], bd = d[1];
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION) {
    return `unsupported frame version in FLG 0x${hex(flg)}`;
  }
  if (flg & FLG_RESERVED || bd & 0x8f) {
    return `reserved bits set (FLG 0x${hex(flg)}, BD 0x${hex(bd)})`;
  }
  if (!(flg & FLG_BLOCK_INDEPENDENT)) return "linked blocks (lz4 -BD) are not supported";
  if (flg & FLG_DICT_ID) return "dictionary frames are not supported";
  const blockMax = BLOCK_SIZES[(bd >> 4) & 7];
  if (blockMax === undefined) return `invalid block maximum size code in BD 0x${hex(bd)}`;
  let contentSize: number | null = null;
  if (flg & FLG_CONTENT_SIZE) {
    const v = new DataView(d.buffer, d.byteOffset + 2, 8).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) return `content size ${v} is too large`;
    contentSize = Number(v);
  }
  return {
    blockMax,
    blockChecksum: (flg & FLG_BLOCK_CHECKSUM) !== 0,
    contentChecksum: (flg & FLG_CONTENT_CHECKSUM) !== 0,
    contentSize,
    length: descriptorLength(flg),
  };
}

/**
 * The decoded size of a raw LZ4 block, found by walking its sequences without copying;
 * -1 when the block is malformed (truncated sequence, zero or out-of-range offset, or a
 * decoded size above `max`). Needed because frames do not record each block's size.
 *
 * @example
 * ```ts
 * import { decodedBlockSize } from "./_lz4_format.ts";
 * decodedBlockSize(new Uint8Array([0x14, 0x61, 0x01, 0x00, 0x10, 0x62]), 1024); // 10
 * ```
 */
export function decodedBlockSize(block: Uint8Array, max: number): number {
  const end = block.length;
  let i = 0, out = 0;
  while (i < end) {
    const token = block[i++];
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (i >= end) return -1;
        b = block[i++];
        lit += b;
      } while (b === 255);
    }
    i += lit;
    out += lit;
    if (i > end || out > max) return -1;
    if (i === end) return out; // the last sequence has literals only
    if (i + 2 > end) return -1;
    const offset = block[i] | (block[i + 1] << 8);
    i += 2;
    if (offset === 0 || offset > out) return -1;
    let match = token & 15;
    if (match === 15) {
      let b: number;
      do {
        if (i >= end) return -1;
        b = block[i++];
        match += b;
      } while (b === 255);
    }
    out += match + 4;
    if (out > max) return -1;
  }
  return -1; // a block cannot end with a match
}

/**
 * Reads a little-endian u32.
 *
 * @example
 * ```ts
 * import { u32le } from "./_lz4_format.ts";
 * u32le(new Uint8Array([4, 0x22, 0x4d, 0x18])); // 0x184d2204
 * ```
 */
export function u32le(b: Uint8Array, at = 0): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/**
 * Writes `value` as a little-endian u32 at `at`.
 *
 * @example
 * ```ts
 * import { putU32le } from "./_lz4_format.ts";
 * const b = new Uint8Array(4);
 * putU32le(b, 0, { value: 0x184d2204 }); // b = [4, 0x22, 0x4d, 0x18]
 * ```
 */
export function putU32le(b: Uint8Array, at: number, { value }: { readonly value: number }): void {
  b[at] = value & 0xff;
  b[at + 1] = (value >>> 8) & 0xff;
  b[at + 2] = (value >>> 16) & 0xff;
  b[at + 3] = (value >>> 24) & 0xff;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}
