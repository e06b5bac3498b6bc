/**
 * Validation of a candidate's recorded inputs against the file system, in recorded order,
 * stopping at the first mismatch. An unchanged file or listing that carries its recorded
 * stat fingerprint costs one `stat`; otherwise memo rows for every file and listing input
 * are loaded in one query, once. A `meta` or `absent` input costs one `stat` too, and a
 * mismatch of any kind is looked at again the slow way, which names what differs.
 *
 * @module
 */
import { logger } from "../log/logger.ts";
import type { BytePath } from "../path/byte_path.ts";
import { type PathState, type ResolveContext, resolvePath } from "./digest_path.ts";
import { fsArg, isRacy, RACY_MS, settledBefore, statPath } from "./fingerprint.ts";
import { missingErrno, modeMatches, statMatches } from "../runtime/mod.ts";
import { metaModeOf } from "./meta_digest.ts";
import type { Hasher } from "./hasher.ts";
import type { MemoRow, StatMemo } from "./stat_memo.ts";
import type { InputMismatch, RecordedInput } from "./types.ts";

const log = logger("store");

/**
 * What validation needs.
 *
 * @example
 * ```ts
 * await validateInputs(entry.inputs, { memo, hasher, now: Date.now() });
 * ```
 */
export interface ValidateOptions {
  readonly memo: StatMemo;
  readonly hasher: Hasher;
  readonly now: number;
}

/**
 * The first input that no longer matches, or `null` when all do. Fresh digests of
 * trusted files are written to the memo in one transaction at the end.
 *
 * @example
 * ```ts
 * // const mismatch = await validateInputs(entry.inputs, { memo, hasher, now: Date.now() });
 * // if (mismatch === null) replay(entry);
 * ```
 */
export async function validateInputs(
  inputs: readonly RecordedInput[],
  opts: ValidateOptions,
): Promise<InputMismatch | null> {
  // Memo rows are read (in one query) only if some input's own fingerprint does not settle it.
  let rows: Map<BytePath, MemoRow> | null = null;
  const memoRows = (): Map<BytePath, MemoRow> => {
    if (rows !== null) return rows;
    const paths: BytePath[] = [];
    for (const i of inputs) if (i.kind !== "absent" && i.kind !== "meta") paths.push(i.path);
    return rows = paths.length === 0 ? new Map() : opts.memo.getMany(paths);
  };
  const writes: { path: BytePath; fp: string; digest: string }[] = [];
  const ctx: ResolveContext = {
    now: opts.now,
    hasher: opts.hasher,
    memoGet: (p) => memoRows().get(p),
    memoPut: (row) => writes.push(row),
  };
  let mismatch: InputMismatch | null = null;
  // Fingerprints recorded before this are outside the racy window.
  const settled = opts.now - RACY_MS;
  // An indexed loop with the common checks written inline: a hit runs it once, cold, over
  // every input (hundreds), where each extra call and options object shows.
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const kind = input.kind;
    if (kind === "absent") {
      // The common absent input (ENOENT) still missing: one lstat, nothing built.
      if (input.digest === "" && stillMissing(input.path)) continue;
    } else if (kind === "meta") {
      // The common stat/lstat probe: the path still has the recorded st_mode, one stat.
      const meta = metaModeOf(input.digest);
      if (meta !== null && modeMatches(fsArg(input.path), meta.mode, meta)) continue;
    } else {
      const st = input.stat;
      if (
        st !== undefined && settledBefore(st, settled) &&
        statMatches(fsArg(input.path), st, kind === "listing" ? DIRECTORY : NOT_DIRECTORY)
      ) continue;
      if (memoSettles(input, opts.now, memoRows)) continue;
    }
    let state = resolvePath(input.path, input.kind, { ctx, recorded: input.digest });
    if (state instanceof Promise) state = await state;
    mismatch = compare(input, state);
    if (mismatch !== null) break;
  }
  if (writes.length > 0) {
    try {
      opts.memo.putMany(writes);
    } catch (e) {
      // The memo is only an accelerator: failing to update it changes nothing else.
      log.debug("digest memo not updated: {error}", { error: String(e) });
    }
  }
  return mismatch;
}

const DIRECTORY = { directory: true } as const;
const NOT_DIRECTORY = { directory: false } as const;

/**
 * The second fast path of a hit, for an input without a usable recorded fingerprint: the
 * path is the right type, not racy, and carries the fingerprint its memo row was computed
 * under, with the recorded digest. Anything else goes the slow way, through
 * {@link resolvePath}.
 */
function memoSettles(
  input: RecordedInput,
  now: number,
  memoRows: () => Map<BytePath, MemoRow>,
): boolean {
  const directory = input.kind === "listing";
  const st = statPath(input.path);
  if (st.kind !== "found" || isRacy(st.info, now)) return false;
  if (directory ? !st.info.isDirectory : !st.info.isFile) return false;
  const row = memoRows().get(input.path);
  return row !== undefined && row.fp === st.info.fp && row.digest === input.digest;
}

/** Whether `path` is still missing for the reason ENOENT (anything else: look closer). */
function stillMissing(path: BytePath): boolean {
  try {
    return missingErrno(fsArg(path)) === "ENOENT";
  } catch {
    return false;
  }
}

/**
 * Compares a recorded input with the path's current state.
 *
 * @example
 * ```ts
 * import { compare } from "./validate.ts";
 * const input = { path: "/x", kind: "absent" as const, digest: "" };
 * compare(input, { kind: "present" }); // { kind: "appeared", input }
 * ```
 */
export function compare(input: RecordedInput, state: PathState): InputMismatch | null {
  switch (state.kind) {
    case "ok":
      return state.input.digest === input.digest ? null : { kind: "changed", input };
    case "missing":
      return { kind: "missing", input };
    case "present":
      return { kind: "appeared", input };
    case "unreadable":
      return { kind: "unreadable", input, reason: state.reason };
  }
}
