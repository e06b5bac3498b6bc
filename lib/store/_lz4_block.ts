/**
 * The raw LZ4 *block* codec, loaded lazily on first use. This is the one file that loads
 * `lz4-wasm-nodejs` (lz4_flex compiled to wasm; it reads its `.wasm` from node_modules at
 * run time, so a compiled binary must embed it here). When the wasm cannot load, the
 * pure-JS `lz4js` block functions are used instead (slower, same format).
 *
 * @module
 */
import { logger } from "../log/logger.ts";

/** Compresses and decompresses raw LZ4 blocks (no frame, no size prefix). */
export interface Lz4BlockCodec {
  /** Which implementation is in use. */
  readonly name: "lz4-wasm" | "lz4js";
  /**
   * Compresses `src` into a raw block, returned at offset 4 of the result: the first 4
   * bytes are scratch room for the caller (e.g. the frame's block size field), so the
   * block can be written without another copy. `null` when it does not shrink at all.
   */
  compressWithRoom(src: Uint8Array): Uint8Array | null;
  /** Decompresses a raw block whose decoded size is exactly `size`; throws on bad input. */
  decompress(block: Uint8Array, size: number): Uint8Array;
}

interface WasmApi {
  compress(input: Uint8Array): Uint8Array;
  decompress(input: Uint8Array): Uint8Array;
}

interface Lz4js {
  compressBound(n: number): number;
  compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    hashTable: Uint32Array,
  ): number;
  decompressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    dIndex: number,
  ): number;
}

function wasmCodec(api: WasmApi): Lz4BlockCodec {
  return {
    name: "lz4-wasm",
    compressWithRoom(src) {
      const out = api.compress(src); // 4-byte little-endian size prefix, then the block
      return out.length - 4 >= src.length ? null : out;
    },
    decompress(block, size) {
      const input = new Uint8Array(block.length + 4);
      new DataView(input.buffer).setUint32(0, size, true);
      input.set(block, 4);
      return api.decompress(input);
    },
  };
}

function jsCodec(lz4: Lz4js): Lz4BlockCodec {
  return {
    name: "lz4js",
    compressWithRoom(src) {
      const dst = new Uint8Array(4 + lz4.compressBound(src.length));
      const n = lz4.compressBlock(src, dst.subarray(4), 0, src.length, new Uint32Array(1 << 16));
      return n === 0 || n >= src.length ? null : dst.subarray(0, 4 + n);
    },
    decompress(block, size) {
      const dst = new Uint8Array(size);
      const n = lz4.decompressBlock(block, dst, 0, block.length, 0);
      if (n !== size) throw new Error(`LZ4 block decoded to ${n} bytes, expected ${size}`);
      return dst;
    },
  };
}

/**
 * Owns the lazily loaded codec so tests can reset or force the fallback.
 *
 * @example
 * ```ts
 * import { Lz4BlockLoader } from "./_lz4_block.ts";
 * const loader = new Lz4BlockLoader();
 * const codec = await loader.load({ prefer: "js" }); // codec.name === "lz4js"
 * loader.reset();
 * ```
 */
export class Lz4BlockLoader {
  #codec: Promise<Lz4BlockCodec> | null = null;

  /** The codec, loading it on first call (wasm first, lz4js on failure). */
  load(opts: { prefer?: "wasm" | "js" } = {}): Promise<Lz4BlockCodec> {
    if (opts.prefer === "js") return loadJs();
    this.#codec ??= loadWasm().catch(async (cause) => {
      logger("store").warn("lz4 wasm unavailable ({error}); using pure-JS lz4js", {
        error: String(cause),
      });
      return await loadJs();
    });
    return this.#codec;
  }

  /** Forgets the loaded codec. */
  reset(): void {
    this.#codec = null;
  }
}

async function loadWasm(): Promise<Lz4BlockCodec> {
  const mod = await import("lz4-wasm-nodejs");
  const api = (mod.default ?? mod) as unknown as WasmApi;
  return wasmCodec(api);
}

async function loadJs(): Promise<Lz4BlockCodec> {
  // @ts-ignore: lz4js ships no type declarations
  const mod = await import("lz4js");
  return jsCodec((mod.default ?? mod) as Lz4js);
}

/**
 * The process-wide block codec loader.
 *
 * @example
 * ```ts
 * import { lz4Block } from "./_lz4_block.ts";
 * const codec = await lz4Block.load();
 * const raw = new TextEncoder().encode("abcabcabcabcabcabcabcabc");
 * const out = codec.compressWithRoom(raw);
 * if (out) codec.decompress(out.subarray(4), raw.length);
 * ```
 */
export const lz4Block: Lz4BlockLoader = new Lz4BlockLoader();
