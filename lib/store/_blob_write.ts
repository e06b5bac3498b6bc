/**
 * Writing a blob's temp file: whole in-memory content (raw or one LZ4 frame, whichever
 * is smaller by 10%), or a file streamed block by block into an LZ4 frame.
 *
 * @module
 */
import { fsyncSync } from "node:fs";
import { hashers } from "../hash/hasher_pool.ts";
import {
  BLOB_HEADER_SIZE,
  BLOB_SEAL_SIZE,
  type BlobKind,
  encodeBlobHeader,
} from "./_blob_format.ts";
import { sealer } from "./_blob_seal.ts";
import { readFull, writeAll, yieldToEventLoop } from "./_blob_io.ts";
import { createLz4FrameEncoder, encodeLz4Frame } from "./lz4_frame.ts";

/** Read and block size for streaming. */
export const CHUNK = 4 << 20;
const YIELD_EVERY = 64 << 20;
/** Compressed content is kept only when it is at most this fraction of the raw size. */
const KEEP_RATIO = 0.9;
/**
 * Content that fits in one 4 KiB file-system block with the header and seal is stored raw:
 * compressing it saves no disk space, and a raw blob is read back without the LZ4 decoder,
 * whose WASM instantiation costs more than the rest of a small hit.
 */
const MIN_COMPRESS = 4096 - BLOB_HEADER_SIZE - BLOB_SEAL_SIZE + 1;

/** What was written to a temp file. */
export interface Written {
  readonly digest: string;
  readonly size: number;
  readonly storedSize: number;
}

/**
 * Writes `bytes` (whose XXH3 digest is `digest`) as a complete, sealed blob file to `fd`,
 * fsynced; returns the stored size.
 *
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { writeWholeBlob } from "./_blob_write.ts";
 * await writeWholeBlob(openSync("/tmp/casher-blob.tmp", "wx"), new Uint8Array(100), { digest });
 * ```
 */
export async function writeWholeBlob(
  fd: number,
  bytes: Uint8Array,
  { digest }: { readonly digest: string },
): Promise<number> {
  let payload = bytes;
  let kind: BlobKind = "raw";
  if (bytes.length >= MIN_COMPRESS) {
    const frame = await encodeLz4Frame(bytes, { minSavings: 1 - KEEP_RATIO });
    if (frame.length <= bytes.length * KEEP_RATIO) [payload, kind] = [frame, "lz4"];
  }
  const seal = sealer(digest);
  seal.update(bytes);
  writeAll(fd, encodeBlobHeader({ kind, size: bytes.length, sealed: true }));
  writeAll(fd, seal.seal());
  writeAll(fd, payload);
  fsyncSync(fd);
  return BLOB_HEADER_SIZE + BLOB_SEAL_SIZE + payload.length;
}

/**
 * Streams the rest of the file open at `src` (after `first`, already read) into an LZ4
 * frame blob at `fd`, hashing as it goes; the header is written last, then fsync.
 *
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { writeStreamedBlob, CHUNK } from "./_blob_write.ts";
 * import { readFull } from "./_blob_io.ts";
 * const src = openSync("/tmp/big-file", "r");
 * const first = new Uint8Array(CHUNK);
 * readFull(src, first);
 * await writeStreamedBlob(src, first, { fd: openSync("/tmp/casher-blob.tmp", "wx") });
 * ```
 */
export async function writeStreamedBlob(
  src: number,
  first: Uint8Array,
  { fd }: { readonly fd: number },
): Promise<Written> {
  const hash = await hashers.xxh128.acquire();
  try {
    const enc = await createLz4FrameEncoder({ minSavings: 1 - KEEP_RATIO });
    let stored = BLOB_HEADER_SIZE;
    const emit = (pieces: Uint8Array[]) => {
      for (const p of pieces) {
        writeAll(fd, p, { position: stored });
        stored += p.length;
      }
    };
    hash.update(first);
    emit(enc.push(first)); // pieces may alias `first`: written before it is reused
    const buf = first.length === CHUNK ? first : new Uint8Array(CHUNK);
    for (let sinceYield = 0;;) {
      const n = readFull(src, buf);
      if (n === 0) break;
      const chunk = buf.subarray(0, n);
      hash.update(chunk);
      emit(enc.push(chunk)); // written before buf is reused
      if ((sinceYield += n) >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      if (n < buf.length) break;
    }
    emit(enc.finish());
    writeAll(fd, encodeBlobHeader({ kind: "lz4", size: enc.contentSize, sealed: false }), {
      position: 0,
    });
    fsyncSync(fd);
    return { digest: hash.digest("hex"), size: enc.contentSize, storedSize: stored };
  } finally {
    hashers.xxh128.release(hash);
  }
}
