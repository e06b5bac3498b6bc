/**
 * LZ4 *frame* format encoder and decoder (hand-written glue around a raw block codec).
 *
 * Frames written here: magic 0x184D2204, version 01, independent blocks, content
 * checksum (XXH32 of the uncompressed content), no content size, block maximum 4 MiB by
 * default. A block is stored uncompressed (high bit of its size set) when compressing it
 * does not save at least `minSavings` of its size. The `lz4` CLI reads these frames.
 *
 * The decoder reads frames from this encoder and from the `lz4` CLI: independent blocks,
 * optional block checksums, content checksum and content size, concatenated and skippable
 * frames. Linked blocks (`lz4 -BD`), dictionaries and legacy frames are rejected with
 * `blob-corrupt`, as is any damage (bad magic, checksum, truncation, malformed block).
 *
 * Both work block by block, so a 4 GiB file never has to be in memory.
 *
 * @module
 */
import type { IHasher } from "hash-wasm";
import { CasherError } from "../errors/casher_error.ts";
import { hashers } from "../hash/hasher_pool.ts";
import { type ByteReader, bytesReader } from "./_byte_reader.ts";
import { lz4Block, type Lz4BlockCodec } from "./_lz4_block.ts";
import {
  blockSizeCode,
  decodedBlockSize,
  descriptorLength,
  FLG_BLOCK_INDEPENDENT,
  FLG_CONTENT_CHECKSUM,
  FLG_VERSION,
  LZ4_MAGIC,
  type Lz4BlockSize,
  parseDescriptor,
  putU32le,
  SKIPPABLE_BASE,
  SKIPPABLE_MASK,
  u32le,
  UNCOMPRESSED_BIT,
} from "./_lz4_format.ts";

export type { ByteReader } from "./_byte_reader.ts";
export { bytesReader, fdReader } from "./_byte_reader.ts";
export type { Lz4BlockSize } from "./_lz4_format.ts";

/** Options of {@link createLz4FrameEncoder}. */
export interface Lz4EncodeOptions {
  /** Block maximum size (default 4 MiB). */
  readonly blockSize?: Lz4BlockSize;
  /** Store a block compressed only if that saves at least this fraction (0-1, default 0). */
  readonly minSavings?: number;
  /** Use the pure-JS block codec even when the wasm one loads (tests). */
  readonly codec?: "auto" | "js";
}

/** Streams content into one LZ4 frame. */
export interface Lz4FrameEncoder {
  /**
   * Adds content and returns the frame bytes now ready, in order. Pieces may alias
   * `chunk`: write them out before modifying `chunk`.
   */
  push(chunk: Uint8Array): Uint8Array[];
  /** Ends the frame (last block, end mark, content checksum); the encoder is then spent. */
  finish(): Uint8Array[];
  /** Uncompressed bytes pushed so far. */
  readonly contentSize: number;
}

/**
 * Creates a streaming frame encoder (loads the block codec and a hasher on first use).
 *
 * @example
 * ```ts
 * import { createLz4FrameEncoder } from "./lz4_frame.ts";
 * const enc = await createLz4FrameEncoder();
 * const parts = [...enc.push(new TextEncoder().encode("hello ".repeat(100))), ...enc.finish()];
 * ```
 */
export async function createLz4FrameEncoder(
  opts: Lz4EncodeOptions = {},
): Promise<Lz4FrameEncoder> {
  const blockSize = opts.blockSize ?? 4194304;
  const minSavings = opts.minSavings ?? 0;
  if (!(minSavings >= 0 && minSavings < 1)) throw new RangeError("minSavings must be in [0, 1)");
  const codec = await lz4Block.load({ prefer: opts.codec === "js" ? "js" : "wasm" });
  const hash = await hashers.xxh32.acquire();
  return new FrameEncoder(codec, hash, { blockSize, keepRatio: 1 - minSavings });
}

class FrameEncoder implements Lz4FrameEncoder {
  #pending: Uint8Array;
  #fill = 0;
  #state: "fresh" | "open" | "done" = "fresh";
  #size = 0;
  private readonly blockSize: Lz4BlockSize;
  private readonly keepRatio: number;

  constructor(
    private readonly codec: Lz4BlockCodec,
    private readonly hash: IHasher,
    opts: { readonly blockSize: Lz4BlockSize; readonly keepRatio: number },
  ) {
    this.blockSize = opts.blockSize;
    this.keepRatio = opts.keepRatio;
    this.#pending = new Uint8Array(opts.blockSize);
  }

  get contentSize(): number {
    return this.#size;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out = this.#open();
    const bs = this.blockSize;
    let at = 0;
    if (this.#fill > 0) {
      at = Math.min(bs - this.#fill, chunk.length);
      this.#pending.set(chunk.subarray(0, at), this.#fill);
      this.#fill += at;
      if (this.#fill === bs) {
        this.#block(this.#pending, out, { owned: true });
        this.#fill = 0;
      }
    }
    for (; chunk.length - at >= bs; at += bs) {
      this.#block(chunk.subarray(at, at + bs), out, { owned: false });
    }
    if (at < chunk.length) {
      this.#pending.set(chunk.subarray(at), 0);
      this.#fill = chunk.length - at;
    }
    return out;
  }

  finish(): Uint8Array[] {
    const out = this.#open();
    if (this.#fill > 0) this.#block(this.#pending.subarray(0, this.#fill), out, { owned: true });
    this.#fill = 0;
    const tail = new Uint8Array(8); // end mark (0) + content checksum
    putU32le(tail, 4, { value: parseInt(this.hash.digest("hex"), 16) });
    out.push(tail);
    this.#state = "done";
    hashers.xxh32.release(this.hash);
    return out;
  }

  #open(): Uint8Array[] {
    switch (this.#state) {
      case "open":
        return [];
      case "done":
        throw new Error("LZ4 frame encoder already finished: create a new encoder per frame");
      case "fresh": {
        this.#state = "open";
        const head = new Uint8Array(7);
        putU32le(head, 0, { value: LZ4_MAGIC });
        head[4] = FLG_VERSION | FLG_BLOCK_INDEPENDENT | FLG_CONTENT_CHECKSUM;
        head[5] = blockSizeCode(this.blockSize) << 4;
        this.hash.update(head.subarray(4, 6));
        head[6] = (parseInt(this.hash.digest("hex"), 16) >>> 8) & 0xff;
        this.hash.init();
        return [head];
      }
    }
  }

  /** Appends `src` as a block to `out`; an `owned` (reused) buffer is copied if stored raw. */
  #block(src: Uint8Array, out: Uint8Array[], opts: { readonly owned: boolean }): void {
    this.hash.update(src);
    this.#size += src.length;
    const c = this.codec.compressWithRoom(src);
    if (c !== null && c.length - 4 <= src.length * this.keepRatio) {
      putU32le(c, 0, { value: c.length - 4 });
      out.push(c);
      return;
    }
    const size = new Uint8Array(4);
    putU32le(size, 0, { value: (src.length | UNCOMPRESSED_BIT) >>> 0 });
    out.push(size, opts.owned ? src.slice() : src);
  }
}

/** Decodes a stream of LZ4 frames. Single use. */
export interface Lz4FrameDecoder {
  /**
   * Yields the decoded content block by block (each piece is valid until the generator
   * resumes) and returns the total content size. Throws `CasherError("blob-corrupt")` on
   * damaged or unsupported input. Accepts concatenated and skippable frames.
   */
  decode(reader: ByteReader): Generator<Uint8Array, number, undefined>;
}

/**
 * Creates a frame decoder (loads the block codec and hashers on first use).
 *
 * @example
 * ```ts
 * import { bytesReader, createLz4FrameDecoder, encodeLz4Frame } from "./lz4_frame.ts";
 * const frame = await encodeLz4Frame(new TextEncoder().encode("hi"));
 * const dec = await createLz4FrameDecoder();
 * for (const piece of dec.decode(bytesReader(frame))) console.log(piece.length);
 * ```
 */
export async function createLz4FrameDecoder(
  opts: { codec?: "auto" | "js" } = {},
): Promise<Lz4FrameDecoder> {
  const codec = await lz4Block.load({ prefer: opts.codec === "js" ? "js" : "wasm" });
  const content = await hashers.xxh32.acquire();
  const block = await hashers.xxh32.acquire();
  let used = false;
  return {
    decode(reader) {
      if (used) throw new Error("LZ4 frame decoder already used: create a new decoder per stream");
      used = true;
      return decodeFrames(reader, codec, { content, blockHash: block });
    },
  };
}

function corrupt(what: string): CasherError {
  return new CasherError(
    "blob-corrupt",
    `Cannot decode LZ4 frame: ${what}; the data is damaged or in an unsupported format: ` +
      `discard it (casher treats it as a cache miss)`,
  );
}

function readExact(
  reader: ByteReader,
  n: number,
  { what }: { readonly what: string },
): Uint8Array {
  const b = reader.read(n);
  if (b.length < n) throw corrupt(`truncated input while reading ${what}`);
  return b;
}

function xxh32(h: IHasher, bytes: Uint8Array): number {
  h.init();
  h.update(bytes);
  return parseInt(h.digest("hex"), 16);
}

/**
 * Decodes the frames `reader` yields; `content` and `blockHash` are the xxh32 hashers for
 * content and block checksums, released to the pool when the generator ends.
 */
function* decodeFrames(
  reader: ByteReader,
  codec: Lz4BlockCodec,
  hashes: { readonly content: IHasher; readonly blockHash: IHasher },
): Generator<Uint8Array, number, undefined> {
  const { content, blockHash } = hashes;
  try {
    let total = 0;
    for (let frames = 0;; frames++) {
      const m = reader.read(4);
      if (m.length === 0 && frames > 0) return total;
      if (m.length < 4) throw corrupt("truncated input while reading the frame magic");
      const magic = u32le(m);
      if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_BASE) {
        for (
          let left = u32le(readExact(reader, 4, { what: "a skippable frame size" }));
          left > 0;
        ) {
          left -= readExact(reader, Math.min(left, 1 << 16), { what: "a skippable frame" }).length;
        }
        continue;
      }
      if (magic !== LZ4_MAGIC) throw corrupt(`bad magic 0x${magic.toString(16)}`);
      const head = readExact(reader, 2, { what: "the frame descriptor" });
      const len = descriptorLength(head[0]);
      const d = new Uint8Array(len + 1);
      d.set(head);
      d.set(readExact(reader, len - 1, { what: "the frame descriptor" }), 2);
      const desc = parseDescriptor(d);
      if (typeof desc === "string") throw corrupt(`unsupported frame: ${desc}`);
      if (((xxh32(content, d.subarray(0, len)) >>> 8) & 0xff) !== d[len]) {
        throw corrupt("frame header checksum mismatch");
      }
      content.init();
      let size = 0;
      for (;;) {
        const field = u32le(readExact(reader, 4, { what: "a block size" }));
        if (field === 0) break;
        const n = (field & ~UNCOMPRESSED_BIT) >>> 0;
        if (n > desc.blockMax) throw corrupt(`block of ${n} bytes exceeds ${desc.blockMax}`);
        const data = readExact(reader, n + (desc.blockChecksum ? 4 : 0), { what: "a block" });
        const body = data.subarray(0, n);
        if (desc.blockChecksum && xxh32(blockHash, body) !== u32le(data, n)) {
          throw corrupt("block checksum mismatch");
        }
        const piece = field & UNCOMPRESSED_BIT
          ? body
          : decompress(codec, body, { max: desc.blockMax });
        if (desc.contentChecksum) content.update(piece);
        size += piece.length;
        yield piece;
      }
      if (desc.contentChecksum) {
        const want = u32le(readExact(reader, 4, { what: "the content checksum" }));
        if (parseInt(content.digest("hex"), 16) !== want) {
          throw corrupt("content checksum mismatch");
        }
      }
      if (desc.contentSize !== null && desc.contentSize !== size) {
        throw corrupt(`content size ${size} differs from the declared ${desc.contentSize}`);
      }
      total += size;
    }
  } finally {
    hashers.xxh32.release(content);
    hashers.xxh32.release(blockHash);
  }
}

function decompress(
  codec: Lz4BlockCodec,
  block: Uint8Array,
  { max }: { readonly max: number },
): Uint8Array {
  const size = decodedBlockSize(block, max);
  if (size < 0) throw corrupt("malformed compressed block");
  try {
    return codec.decompress(block, size);
  } catch (cause) {
    throw corrupt(`compressed block does not decode (${String(cause)})`);
  }
}

/**
 * Encodes a whole buffer as one LZ4 frame.
 *
 * @example
 * ```ts
 * import { encodeLz4Frame } from "./lz4_frame.ts";
 * const frame = await encodeLz4Frame(new TextEncoder().encode("abc".repeat(1000)));
 * ```
 */
export async function encodeLz4Frame(
  bytes: Uint8Array,
  opts: Lz4EncodeOptions = {},
): Promise<Uint8Array> {
  const enc = await createLz4FrameEncoder(opts);
  return concat([...enc.push(bytes), ...enc.finish()]);
}

/**
 * Decodes a whole buffer of LZ4 frames (throws `blob-corrupt` on damage).
 *
 * @example
 * ```ts
 * import { decodeLz4Frame, encodeLz4Frame } from "./lz4_frame.ts";
 * const text = "abc".repeat(1000);
 * const back = await decodeLz4Frame(await encodeLz4Frame(new TextEncoder().encode(text)));
 * ```
 */
export async function decodeLz4Frame(
  bytes: Uint8Array,
  opts: { codec?: "auto" | "js" } = {},
): Promise<Uint8Array> {
  const dec = await createLz4FrameDecoder(opts);
  const pieces: Uint8Array[] = [];
  for (const piece of dec.decode(bytesReader(bytes))) pieces.push(piece.slice());
  return concat(pieces);
}

function concat(pieces: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of pieces) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
