/**
 * After a run: stores each output's content as a blob and notes symlinks, directories
 * and deletions, using what is on disk now (the tracer's kind is only a hint).
 *
 * @module
 */
import { lstatSync, readlinkSync, type Stats } from "node:fs";
import { type BytePath, bytePathFromBytes, fsPath } from "../path/byte_path.ts";
import type { BlobStore } from "../store/blob_store.ts";
import type { RecordedOutput } from "../store/types.ts";
import { exists } from "./fingerprint.ts";

/** Outputs and deletions ready for an entry. */
export interface CapturedOutputs {
  readonly outputs: RecordedOutput[];
  readonly deletions: BytePath[];
  /** Sum of the outputs' uncompressed sizes. */
  readonly bytes: number;
}

/**
 * Captures `paths` (outputs) and `deletions` as they are on disk after the run.
 *
 * @example
 * ```ts ignore
 * const captured = await captureOutputs(store.blobs, { paths: ["/work/out.o"], deletions: [] });
 * ```
 */
export async function captureOutputs(
  blobs: BlobStore,
  run: {
    paths: readonly BytePath[];
    deletions: readonly BytePath[];
    /** Called after each stored file with the bytes done and the total to store. */
    onProgress?: (doneBytes: number, totalBytes: number) => void;
  },
): Promise<CapturedOutputs> {
  const outputs: RecordedOutput[] = [];
  let bytes = 0;
  const found: [BytePath, Stats][] = [];
  for (const path of new Set(run.paths)) {
    try {
      found.push([path, lstatSync(fsPath(path))]);
    } catch {
      // written, then moved or removed: nothing to restore at this path
    }
  }
  const total = found.reduce((n, [, st]) => n + (st.isFile() ? st.size : 0), 0);
  for (const [path, st] of found) {
    const mode = st.mode & 0o7777;
    if (st.isSymbolicLink()) {
      const target = bytePathFromBytes(readlinkSync(fsPath(path), { encoding: "buffer" }));
      outputs.push({ kind: "symlink", path, target });
    } else if (st.isDirectory()) {
      outputs.push({ kind: "dir", path, mode });
    } else if (st.isFile()) {
      const info = await blobs.putFile(path);
      outputs.push({ kind: "file", path, blob: info.digest, mode, size: info.size });
      bytes += info.size;
      run.onProgress?.(bytes, total);
    }
  }
  // Dirs first (parents before children), so a restore can create them in order.
  outputs.sort((a, b) => rank(a) - rank(b) || a.path.length - b.path.length);
  const deletions = [...new Set(run.deletions)].filter((p) => !exists(p));
  return { outputs, deletions, bytes };
}

function rank(o: RecordedOutput): number {
  return o.kind === "dir" ? 0 : 1;
}
