/**
 * Decoding and verifying a blob file: header, payload (raw or LZ4 frame), size and
 * XXH3-128 digest. Nothing is kept; the caller's sink receives the content piece by piece.
 *
 * @module
 */
import { fstatSync } from "node:fs";
import { CasherError } from "../errors/casher_error.ts";
import { hashers } from "../hash/hasher_pool.ts";
import {
  BLOB_HEADER_SIZE,
  BLOB_SEAL_SIZE,
  decodeBlobHeader,
  payloadOffset,
} from "./_blob_format.ts";
import { sameSeal, sealer } from "./_blob_seal.ts";
import { readFull, yieldToEventLoop } from "./_blob_io.ts";
import { fdReader } from "./_byte_reader.ts";

const CHUNK = 4 << 20;
const YIELD_EVERY = 64 << 20;
/**
 * Blobs up to this size are decoded with the pure-JS block codec: loading the wasm one
 * costs 10-50 ms, more than decoding a small stream log in JS (keeps hits lean).
 */
const SMALL_JS_DECODE = 256 << 10;
/** LZ4 cannot expand more than 255x; a header claiming more is corrupt. */
const MAX_RATIO = 256;

/** Receives a blob's content: its declared size first, then the pieces in order. */
export interface BlobSink {
  size(size: number): void;
  /** A piece of content, valid only during the call. */
  piece(piece: Uint8Array): void;
}

/**
 * The `blob-corrupt` error for `digest`.
 *
 * @example
 * ```ts
 * import { blobCorrupt } from "./_blob_read.ts";
 * throw blobCorrupt("0123456789abcdef0123456789abcdef", "content digest mismatch");
 * ```
 */
export function blobCorrupt(digest: string, why: string): CasherError {
  return new CasherError(
    "blob-corrupt",
    `Blob ${digest} is corrupt (${why}); it was deleted and the entry is treated as a miss: ` +
      `the work will run again`,
  );
}

/**
 * Decodes the blob open at `fd` into `sink`, then checks size and digest. Reads are
 * positional (the descriptor's offset is not used), so one descriptor serves many reads.
 * Throws `blob-corrupt` (the sink may already have received wrong bytes: discard them).
 *
 * @example
 * ```ts
 * import { openSync } from "node:fs";
 * import { pumpBlob } from "./_blob_read.ts";
 * const digest = "0123456789abcdef0123456789abcdef";
 * const fd = openSync(`/tmp/cache/v1/blobs/01/${digest}`, "r");
 * await pumpBlob(fd, digest, { sink: { size() {}, piece: (p) => console.log(p.length) } });
 * ```
 */
export async function pumpBlob(
  fd: number,
  digest: string,
  { sink }: { readonly sink: BlobSink },
): Promise<void> {
  const stored = fstatSync(fd).size;
  const head = new Uint8Array(BLOB_HEADER_SIZE + BLOB_SEAL_SIZE);
  const header = decodeBlobHeader(head.subarray(0, readFull(fd, head, { position: 0 })));
  if (typeof header === "string") throw blobCorrupt(digest, header);
  const offset = payloadOffset(header);
  if (offset > stored) throw blobCorrupt(digest, "file is shorter than its seal");
  const seal = header.sealed ? head.slice(BLOB_HEADER_SIZE, offset) : null;
  const payload = stored - offset;
  const fits = header.kind === "raw"
    ? payload === header.size
    : header.size <= payload * MAX_RATIO + CHUNK;
  if (!fits) {
    throw blobCorrupt(digest, `declared size ${header.size} does not fit ${payload} stored bytes`);
  }
  if (header.kind === "raw" && seal !== null && header.size <= CHUNK) {
    // The common small blob (a stream log, a small output): one read, verified before the
    // sink sees a byte. The streaming path below costs more than a small hit's whole replay
    // when run cold (generators, awaits).
    const body = new Uint8Array(header.size);
    const n = readFull(fd, body, { position: offset });
    if (n !== header.size) {
      throw blobCorrupt(digest, `content is ${n} bytes, header says ${header.size}`);
    }
    const sealing = sealer(digest);
    sealing.update(body);
    if (!sameSeal(sealing.seal(), seal)) throw blobCorrupt(digest, "content digest mismatch");
    sink.size(header.size);
    sink.piece(body);
    return;
  }
  sink.size(header.size);
  // A sealed blob is verified with native SHA-256; others with XXH3 (loads the WASM hasher).
  const hash = seal === null ? await hashers.xxh128.acquire() : null;
  const sealing = seal === null ? null : sealer(digest);
  try {
    const pieces = header.kind === "raw"
      ? rawPieces(fd, offset, { size: header.size })
      : (await lz4Decoder({ codec: header.size <= SMALL_JS_DECODE ? "js" : "auto" }))
        .decode(fdReader(fd, offset));
    let size = 0;
    let sinceYield = 0;
    try {
      for (const p of pieces) {
        size += p.length;
        if (size > header.size) throw blobCorrupt(digest, `content exceeds ${header.size} bytes`);
        if (hash) hash.update(p);
        else sealing!.update(p);
        sink.piece(p);
        if ((sinceYield += p.length) >= YIELD_EVERY) {
          sinceYield = 0;
          await yieldToEventLoop();
        }
      }
    } catch (e) {
      if (e instanceof CasherError && e.code === "blob-corrupt" && !e.message.startsWith("Blob ")) {
        throw blobCorrupt(digest, e.message);
      }
      throw e;
    }
    if (size !== header.size) {
      throw blobCorrupt(digest, `content is ${size} bytes, header says ${header.size}`);
    }
    const intact = hash ? hash.digest("hex") === digest : sameSeal(sealing!.seal(), seal!);
    if (!intact) throw blobCorrupt(digest, "content digest mismatch");
  } finally {
    if (hash) hashers.xxh128.release(hash);
  }
}

function* rawPieces(
  fd: number,
  offset: number,
  { size }: { readonly size: number },
): Generator<Uint8Array, void, undefined> {
  const buf = new Uint8Array(Math.min(CHUNK, size));
  let at = offset;
  for (let left = size; left > 0;) {
    const n = readFull(fd, buf.subarray(0, Math.min(left, buf.length)), { position: at });
    at += n;
    if (n === 0) return; // truncated: the size check reports it
    left -= n;
    yield buf.subarray(0, n);
  }
}

/** The LZ4 frame decoder, imported for the first compressed blob (raw ones need none). */
async function lz4Decoder(options: { codec: "js" | "auto" }) {
  const { createLz4FrameDecoder } = await import("./lz4_frame.ts");
  return createLz4FrameDecoder(options);
}
