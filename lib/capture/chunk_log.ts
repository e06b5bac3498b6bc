/**
 * The ordered chunk log: which stream (stdout or stderr) printed which bytes, in the
 * order they arrived. It is recorded on a miss and written back on a hit.
 *
 * Encoding (one blob): repeated records of `[stream: u8][length: u32 LE][bytes]`.
 * Adjacent chunks of the same stream are merged when recorded.
 *
 * @module
 */
import { CasherError } from "../errors/casher_error.ts";

/** File descriptor a chunk was written to: 1 (stdout) or 2 (stderr). */
export type StreamFd = 1 | 2;

/** One piece of output. */
export interface Chunk {
  readonly fd: StreamFd;
  readonly bytes: Uint8Array;
}

/**
 * Accumulates chunks in arrival order, merging adjacent chunks of one stream.
 *
 * @example
 * ```ts
 * import { ChunkRecorder } from "./chunk_log.ts";
 * const rec = new ChunkRecorder();
 * rec.push(1, new TextEncoder().encode("out\n"));
 * rec.push(2, new TextEncoder().encode("err\n"));
 * rec.chunks().length; // 2
 * ```
 */
export class ChunkRecorder {
  #chunks: { fd: StreamFd; parts: Uint8Array[] }[] = [];
  #bytes = 0;

  /** Appends bytes written to `fd`. */
  push(fd: StreamFd, bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    const last = this.#chunks.at(-1);
    // Copy: callers may reuse their buffers.
    const copy = bytes.slice();
    if (last && last.fd === fd) last.parts.push(copy);
    else this.#chunks.push({ fd, parts: [copy] });
    this.#bytes += bytes.byteLength;
  }

  /** Total bytes recorded on both streams. */
  get totalBytes(): number {
    return this.#bytes;
  }

  /** The recorded chunks, in order. */
  chunks(): Chunk[] {
    return this.#chunks.map((c) => ({ fd: c.fd, bytes: concat(c.parts) }));
  }
}

/**
 * Encodes chunks as one byte array (see the module doc for the format).
 *
 * @example
 * ```ts
 * import { decodeChunkLog, encodeChunkLog } from "./chunk_log.ts";
 * const bytes = encodeChunkLog([{ fd: 1, bytes: new Uint8Array([104, 105]) }]);
 * decodeChunkLog(bytes)[0].fd; // 1
 * ```
 */
export function encodeChunkLog(chunks: readonly Chunk[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + 5 + c.bytes.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const c of chunks) {
    out[at] = c.fd;
    view.setUint32(at + 1, c.bytes.byteLength, true);
    out.set(c.bytes, at + 5);
    at += 5 + c.bytes.byteLength;
  }
  return out;
}

/**
 * Decodes a chunk log. Throws `blob-corrupt` when the bytes are not a valid log.
 *
 * @example
 * ```ts
 * import { decodeChunkLog } from "./chunk_log.ts";
 * decodeChunkLog(new Uint8Array([2, 1, 0, 0, 0, 33]))[0]; // { fd: 2, bytes: [33] }
 * ```
 */
export function decodeChunkLog(bytes: Uint8Array): Chunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunk[] = [];
  let at = 0;
  while (at < bytes.byteLength) {
    const fd = bytes[at];
    if ((fd !== 1 && fd !== 2) || at + 5 > bytes.byteLength) throw corrupt(at);
    const len = view.getUint32(at + 1, true);
    if (at + 5 + len > bytes.byteLength) throw corrupt(at);
    chunks.push({ fd, bytes: bytes.subarray(at + 5, at + 5 + len) });
    at += 5 + len;
  }
  return chunks;
}

function corrupt(at: number): CasherError {
  return new CasherError(
    "blob-corrupt",
    `Recorded output log is malformed at byte ${at}; the entry will be treated as a miss`,
  );
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
