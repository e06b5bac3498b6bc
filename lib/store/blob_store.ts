/**
 * Content-addressed blobs: `blobs/<d0d1>/<digest>`, named by the XXH3-128 digest of the
 * uncompressed content, deduplicated, and verified (size and digest) on every read.
 *
 * Blob file format (see `_blob_format.ts`): a 16-byte header (magic `"CSHB"`, payload kind
 * raw|lz4, uncompressed size as u64 LE) followed by the payload: either the raw bytes or
 * one LZ4 frame (independent 4 MiB blocks, content checksum; `tail -c +17 blob | lz4 -d`
 * decodes it). Compression is decided per blob for in-memory content (kept only when the
 * frame is under 90% of the raw size) and per 4 MiB block when streaming a file (a block
 * is stored uncompressed inside the frame unless compressing saves 10%).
 *
 * Writes go to a uniquely named 0600 temp file in `tmp/`, are fsynced, then renamed into
 * place; an existing blob with the same digest wins (the temp is dropped). A blob that
 * fails verification is deleted and reported as `blob-corrupt`: never returned.
 *
 * @module
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { CasherError } from "../errors/casher_error.ts";
import { digestBytes } from "../hash/digest.ts";
import { hashers } from "../hash/hasher_pool.ts";
import { assertReachablePath } from "../hash/path_guard.ts";
import { type BytePath, fsPath } from "../path/byte_path.ts";
import { BLOB_HEADER_SIZE, decodeBlobHeader, encodeBlobHeader } from "./_blob_format.ts";
import { errnoCode, readFull, tempPath, writeAll, yieldToEventLoop } from "./_blob_io.ts";
import type { Layout } from "./layout.ts";
import {
  createLz4FrameDecoder,
  createLz4FrameEncoder,
  encodeLz4Frame,
  fdReader,
} from "./lz4_frame.ts";

/** What a stored blob holds and occupies. */
export interface BlobInfo {
  /** XXH3-128 of the uncompressed content (the blob's name). */
  readonly digest: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
  /** Size of the blob file on disk (header included). */
  readonly storedSize: number;
}

const CHUNK = 4 << 20;
const YIELD_EVERY = 64 << 20;
/** Compressed content is kept only when it is at most this fraction of the raw size. */
const KEEP_RATIO = 0.9;
/** Content shorter than this is stored raw without trying to compress it. */
const MIN_COMPRESS = 64;
/** LZ4 cannot expand more than 255x; a header claiming more is corrupt. */
const MAX_RATIO = 256;
const DIGEST_RE = /^[0-9a-f]{32}$/;

type Sink = (piece: Uint8Array) => void;

/**
 * The blob store of one cache layout.
 *
 * @example
 * ```ts
 * import { ensureLayout } from "./layout.ts";
 * import { BlobStore } from "./blob_store.ts";
 * const blobs = new BlobStore(ensureLayout("/tmp/casher-example"));
 * const info = await blobs.putBytes(new TextEncoder().encode("hello"));
 * const back = await blobs.readBytes(info.digest); // "hello"
 * ```
 */
export class BlobStore {
  readonly #layout: Layout;

  /** A store over `layout` (create it with `ensureLayout`). */
  constructor(layout: Layout) {
    this.#layout = layout;
  }

  /** Absolute path of the blob file for `digest` (it may not exist). */
  pathOf(digest: string): string {
    if (!DIGEST_RE.test(digest)) {
      throw new RangeError(
        `Not a blob digest: ${JSON.stringify(digest)} (want 32 lowercase hex chars)`,
      );
    }
    return join(this.#layout.blobsDir, digest.slice(0, 2), digest);
  }

  /**
   * Streams a file in: hash + compress block by block to a temp file, fsync, rename into
   * place (or drop the temp when the blob already exists). Throws the `node:fs` error
   * when `path` cannot be read, `path-unsupported` for a non-UTF-8 path under Deno.
   */
  async putFile(path: BytePath): Promise<BlobInfo> {
    assertReachablePath(path, "store");
    const src = openSync(fsPath(path), "r");
    try {
      const hint = fstatSync(src).size;
      const first = new Uint8Array(Math.min(CHUNK, hint + 1));
      const n = readFull(src, first);
      if (n < first.length) return await this.putBytes(first.subarray(0, n));
      return await this.#putStream(src, first);
    } finally {
      closeSync(src);
    }
  }

  /** Stores in-memory content (compressed when that saves at least 10%). */
  async putBytes(bytes: Uint8Array): Promise<BlobInfo> {
    const digest = await digestBytes(bytes);
    const existing = this.storedSize(digest);
    if (existing !== null) return { digest, size: bytes.length, storedSize: existing };
    let payload = bytes;
    let kind: "raw" | "lz4" = "raw";
    if (bytes.length >= MIN_COMPRESS) {
      const frame = await encodeLz4Frame(bytes, { minSavings: 1 - KEEP_RATIO });
      if (frame.length <= bytes.length * KEEP_RATIO) [payload, kind] = [frame, "lz4"];
    }
    const tmp = tempPath(this.#layout.tmpDir);
    const fd = this.#createTemp(tmp);
    try {
      writeAll(fd, encodeBlobHeader({ kind, size: bytes.length }));
      writeAll(fd, payload);
      fsyncSync(fd);
    } catch (e) {
      this.#discard(fd, tmp);
      throw e;
    }
    closeSync(fd);
    return this.#commit(tmp, {
      digest,
      size: bytes.length,
      storedSize: BLOB_HEADER_SIZE + payload.length,
    });
  }

  async #putStream(src: number, first: Uint8Array): Promise<BlobInfo> {
    const tmp = tempPath(this.#layout.tmpDir);
    const fd = this.#createTemp(tmp);
    const hash = await hashers.xxh128.acquire();
    try {
      const enc = await createLz4FrameEncoder({ minSavings: 1 - KEEP_RATIO });
      let stored = BLOB_HEADER_SIZE;
      const emit = (pieces: Uint8Array[]) => {
        for (const p of pieces) {
          writeAll(fd, p, stored);
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
      writeAll(fd, encodeBlobHeader({ kind: "lz4", size: enc.contentSize }), 0);
      fsyncSync(fd);
      closeSync(fd);
      const digest = hash.digest("hex");
      return this.#commit(tmp, { digest, size: enc.contentSize, storedSize: stored });
    } catch (e) {
      this.#discard(fd, tmp);
      throw e;
    } finally {
      hashers.xxh128.release(hash);
    }
  }

  /**
   * Reads a whole blob (for small blobs: stream logs, values), verifying size and digest.
   * Absent: `blob-missing`; damaged: the blob is deleted and `blob-corrupt` thrown.
   */
  async readBytes(digest: string): Promise<Uint8Array> {
    const fd = this.#openBlob(digest);
    let out: Uint8Array | null = null;
    let at = 0;
    try {
      await this.#pump(fd, digest, {
        size: (size) => (out = new Uint8Array(size)),
        piece: (p) => {
          out!.set(p, at);
          at += p.length;
        },
      });
    } catch (e) {
      this.#dropIfCorrupt(digest, e);
      throw e;
    } finally {
      closeSync(fd);
    }
    return out!;
  }

  /**
   * Streams a blob into a NEW file `dest` (O_CREAT|O_EXCL|O_WRONLY|O_NOFOLLOW, then
   * fchmod to exactly `mode`), verifying the digest while writing. On damage `dest` is
   * unlinked, the blob deleted and `blob-corrupt` thrown; on any other failure `dest` is
   * unlinked and the error rethrown (`node:fs` errors about `dest`, e.g. EEXIST, as is).
   */
  async restoreTo(digest: string, dest: BytePath, opts: { mode: number }): Promise<void> {
    assertReachablePath(dest, "restore");
    const fd = this.#openBlob(digest);
    let out: number | null = null;
    try {
      const flags = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY |
        constants.O_NOFOLLOW;
      out = openSync(fsPath(dest), flags, opts.mode & 0o7777);
      fchmodSync(out, opts.mode & 0o7777);
      const target = out;
      await this.#pump(fd, digest, { size: () => {}, piece: (p) => writeAll(target, p) });
      closeSync(out);
    } catch (e) {
      if (out !== null) {
        closeSync(out);
        unlinkSync(fsPath(dest));
      }
      this.#dropIfCorrupt(digest, e);
      throw e;
    } finally {
      closeSync(fd);
    }
  }

  /** Whether a blob file for `digest` exists (not verified). */
  has(digest: string): boolean {
    return this.storedSize(digest) !== null;
  }

  /** Size of the blob file on disk, or `null` when absent. */
  storedSize(digest: string): number | null {
    try {
      return statSync(this.pathOf(digest)).size;
    } catch (e) {
      if (errnoCode(e) === "ENOENT") return null;
      throw e;
    }
  }

  /** Deletes a blob; absent is fine. */
  remove(digest: string): void {
    try {
      unlinkSync(this.pathOf(digest));
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") throw e;
    }
  }

  /** Full check (decompress + digest) without keeping bytes or deleting anything. */
  async verify(digest: string): Promise<"ok" | "corrupt" | "missing"> {
    let fd: number;
    try {
      fd = this.#openBlob(digest);
    } catch (e) {
      if (e instanceof CasherError && e.code === "blob-missing") return "missing";
      throw e;
    }
    try {
      await this.#pump(fd, digest, { size: () => {}, piece: () => {} });
      return "ok";
    } catch (e) {
      if (e instanceof CasherError && e.code === "blob-corrupt") return "corrupt";
      throw e;
    } finally {
      closeSync(fd);
    }
  }

  /** Every digest with a blob file on disk (unordered). */
  list(): string[] {
    const out: string[] = [];
    for (const dir of readdirSync(this.#layout.blobsDir)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      let names: string[];
      try {
        names = readdirSync(join(this.#layout.blobsDir, dir));
      } catch (e) {
        if (errnoCode(e) === "ENOTDIR" || errnoCode(e) === "ENOENT") continue;
        throw e;
      }
      for (const name of names) if (DIGEST_RE.test(name) && name.startsWith(dir)) out.push(name);
    }
    return out;
  }

  #openBlob(digest: string): number {
    const path = this.pathOf(digest);
    try {
      return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      if (errnoCode(e) === "ENOENT") {
        throw new CasherError(
          "blob-missing",
          `Blob ${digest} is missing from ${this.#layout.blobsDir}: the entry cannot be ` +
            `replayed and is treated as a miss (run \`casher gc\` to drop dangling entries)`,
        );
      }
      throw new CasherError(
        "cache-unavailable",
        `Cannot open blob ${path}: ${(e as Error).message}; fix the cache directory's permissions`,
        { cause: e },
      );
    }
  }

  /** Decodes a blob from an open fd into `sink`, verifying size and digest. */
  async #pump(
    fd: number,
    digest: string,
    sink: { size: (size: number) => void; piece: Sink },
  ): Promise<void> {
    const stored = fstatSync(fd).size;
    const head = new Uint8Array(BLOB_HEADER_SIZE);
    const header = decodeBlobHeader(head.subarray(0, readFull(fd, head)));
    if (typeof header === "string") throw this.#corrupt(digest, header);
    const payload = stored - BLOB_HEADER_SIZE;
    if (
      header.kind === "raw" ? payload !== header.size : header.size > payload * MAX_RATIO + CHUNK
    ) {
      throw this.#corrupt(
        digest,
        `declared size ${header.size} does not fit ${payload} stored bytes`,
      );
    }
    sink.size(header.size);
    const hash = await hashers.xxh128.acquire();
    try {
      let size = 0;
      let sinceYield = 0;
      const take = (p: Uint8Array) => {
        size += p.length;
        if (size > header.size) throw this.#corrupt(digest, `content exceeds ${header.size} bytes`);
        hash.update(p);
        sink.piece(p);
        sinceYield += p.length;
      };
      const pieces = header.kind === "raw"
        ? rawPieces(fd, header.size)
        : (await createLz4FrameDecoder()).decode(fdReader(fd, BLOB_HEADER_SIZE));
      try {
        for (const p of pieces) {
          take(p);
          if (sinceYield >= YIELD_EVERY) {
            sinceYield = 0;
            await yieldToEventLoop();
          }
        }
      } catch (e) {
        if (e instanceof CasherError && e.code === "blob-corrupt") {
          throw this.#corrupt(digest, e.message);
        }
        throw e;
      }
      if (size !== header.size) {
        throw this.#corrupt(digest, `content is ${size} bytes, header says ${header.size}`);
      }
      if (hash.digest("hex") !== digest) throw this.#corrupt(digest, "content digest mismatch");
    } finally {
      hashers.xxh128.release(hash);
    }
  }

  #corrupt(digest: string, why: string): CasherError {
    return new CasherError(
      "blob-corrupt",
      `Blob ${digest} is corrupt (${why}); it was deleted and the entry is treated as a miss: ` +
        `the work will run again`,
    );
  }

  #dropIfCorrupt(digest: string, e: unknown): void {
    if (e instanceof CasherError && e.code === "blob-corrupt") this.remove(digest);
  }

  #createTemp(tmp: string): number {
    return openSync(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  }

  #discard(fd: number, tmp: string): void {
    try {
      closeSync(fd);
    } catch { /* already closed */ }
    try {
      unlinkSync(tmp);
    } catch { /* already gone */ }
  }

  #commit(tmp: string, info: BlobInfo): BlobInfo {
    const final = this.pathOf(info.digest);
    const existing = this.storedSize(info.digest);
    if (existing !== null) {
      unlinkSync(tmp);
      return { ...info, storedSize: existing };
    }
    mkdirSync(join(this.#layout.blobsDir, info.digest.slice(0, 2)), {
      recursive: true,
      mode: 0o700,
    });
    renameSync(tmp, final);
    return info;
  }
}

function* rawPieces(fd: number, size: number): Generator<Uint8Array, void, undefined> {
  const buf = new Uint8Array(Math.min(CHUNK, size));
  for (let left = size; left > 0;) {
    const n = readFull(fd, buf.subarray(0, Math.min(left, buf.length)));
    if (n === 0) return; // truncated: the size check reports it
    left -= n;
    yield buf.subarray(0, n);
  }
}
