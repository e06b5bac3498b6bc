/**
 * The current state of one input path: its digest (through the memo when the file's
 * fingerprint is trusted), or why it has none.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import { fsArg, isRacy, statPath } from "./fingerprint.ts";
import { missingErrno } from "../runtime/mod.ts";
import type { Hasher } from "./hasher.ts";
import type { MemoRow } from "./stat_memo.ts";
import { metaNow, metaProbeOf } from "./meta_digest.ts";
import type { InputKind, RecordedInput } from "./types.ts";

/**
 * What a path looks like now, for the kind of input it is.
 *
 * @example
 * ```ts
 * const state = await store.digestPath("/etc/hostname", "file");
 * if (state.kind === "ok") console.log(state.input.digest);
 * ```
 */
export type PathState =
  /** The input as it would be recorded now. */
  | { readonly kind: "ok"; readonly input: RecordedInput }
  /** A file/exec/listing/meta input does not exist. */
  | { readonly kind: "missing" }
  /** An `absent` input exists. */
  | { readonly kind: "present" }
  /** It cannot be read or is not what its kind requires (never a guess). */
  | { readonly kind: "unreadable"; readonly reason: string };

/**
 * What resolving a path needs: time, memo access and a hasher.
 *
 * @example
 * ```ts
 * const ctx: ResolveContext = { now: Date.now(), hasher, memoGet: () => undefined, memoPut: () => {} };
 * ```
 */
export interface ResolveContext {
  readonly now: number;
  readonly hasher: Hasher;
  readonly memoGet: (path: BytePath) => MemoRow | undefined;
  /** Collects memo rows to write (trusted, freshly hashed files). */
  readonly memoPut: (row: { path: BytePath; fp: string; digest: string }) => void;
}

/**
 * Resolves `path` as an input of `kind`. Returns a promise only when hashing is needed
 * (memo hits, absent, meta and missing paths stay synchronous), which keeps validation of
 * thousands of unchanged files cheap. A `meta` input needs its `recorded` digest, which
 * names the probe to repeat.
 *
 * @example
 * ```ts
 * // const state = await resolvePath("/etc/hostname", "file", { ctx });
 * // if (state.kind === "ok") console.log(state.input.digest);
 * ```
 */
export function resolvePath(
  path: BytePath,
  kind: InputKind,
  { ctx, recorded = "" }: { readonly ctx: ResolveContext; readonly recorded?: string },
): PathState | Promise<PathState> {
  switch (kind) {
    case "meta":
      return resolveMeta(path, recorded);
    case "absent":
      return resolveAbsent(path);
    case "listing":
      return resolveListing(path, ctx);
    case "file":
    case "exec":
      return resolveFile(path, kind, { ctx });
  }
}

function resolveMeta(path: BytePath, recorded: string): PathState {
  const probe = metaProbeOf(recorded);
  if (probe === null) return unreadable(`not a meta digest: ${JSON.stringify(recorded)}`);
  const now = metaNow(path, probe);
  switch (now.kind) {
    case "ok":
      return { kind: "ok", input: { path, kind: "meta", digest: now.digest } };
    case "missing":
      return now;
    case "error":
      return unreadable(now.reason);
  }
}

/**
 * The digest of an `absent` input: `""` when the probe got ENOENT (the path is missing),
 * `"ENOTDIR"` when it got ENOTDIR (a component on the way is not a directory). Reading
 * `x/y` behaves differently in the two cases (`cat` prints "No such file" or "Not a
 * directory"), so one never stands for the other.
 *
 * @example
 * ```ts
 * import { absentDigest } from "./digest_path.ts";
 * absentDigest("ENOTDIR"); // "ENOTDIR"
 * absentDigest("ENOENT"); // ""
 * ```
 */
export function absentDigest(errno: "ENOENT" | "ENOTDIR"): string {
  return errno === "ENOTDIR" ? "ENOTDIR" : "";
}

function resolveAbsent(path: BytePath): PathState {
  let errno;
  try {
    errno = missingErrno(fsArg(path));
  } catch (e) {
    return unreadable((e as NodeJS.ErrnoException).code ?? String(e));
  }
  if (errno === null) return { kind: "present" };
  return { kind: "ok", input: { path, kind: "absent", digest: absentDigest(errno) } };
}

/**
 * A directory listing, memoized like file content: a directory's mtime moves whenever an
 * entry is added, removed or renamed, so an unchanged, non-racy fingerprint means an
 * unchanged listing (listing a 500-entry directory costs more than the whole rest of a
 * hit).
 */
async function resolveListing(path: BytePath, ctx: ResolveContext): Promise<PathState> {
  const st = statPath(path);
  if (st.kind !== "found") return st.kind === "missing" ? st : unreadable(st.reason);
  if (!st.info.isDirectory) return unreadable("not a directory");
  const racy = isRacy(st.info, ctx.now);
  if (!racy) {
    const row = ctx.memoGet(path);
    if (row !== undefined && row.fp === st.info.fp) {
      return { kind: "ok", input: { path, kind: "listing", digest: row.digest } };
    }
  }
  let digest: string;
  try {
    digest = await ctx.hasher.digestDirectory(path);
  } catch (e) {
    return unreadable((e as NodeJS.ErrnoException).code ?? String(e));
  }
  const after = statPath(path);
  if (after.kind !== "found" || after.info.fp !== st.info.fp) {
    return unreadable("changed while it was being listed");
  }
  if (!racy) ctx.memoPut({ path, fp: st.info.fp, digest });
  return { kind: "ok", input: { path, kind: "listing", digest } };
}

function resolveFile(
  path: BytePath,
  kind: "file" | "exec",
  { ctx }: { readonly ctx: ResolveContext },
): PathState | Promise<PathState> {
  const st = statPath(path);
  if (st.kind !== "found") return st.kind === "missing" ? st : unreadable(st.reason);
  if (!st.info.isFile) return unreadable("not a regular file");
  const racy = isRacy(st.info, ctx.now);
  if (!racy) {
    const row = ctx.memoGet(path);
    if (row !== undefined && row.fp === st.info.fp) {
      return { kind: "ok", input: { path, kind, digest: row.digest } };
    }
  }
  return hashFile(path, kind, { ctx, fp: st.info.fp, racy });
}

async function hashFile(
  path: BytePath,
  kind: "file" | "exec",
  opts: { ctx: ResolveContext; fp: string; racy: boolean },
): Promise<PathState> {
  let digest: string;
  try {
    digest = (await opts.ctx.hasher.digestFile(path)).digest;
  } catch (e) {
    return unreadable((e as NodeJS.ErrnoException).code ?? String(e));
  }
  // A file that changed while it was hashed has no trustworthy digest.
  const after = statPath(path);
  if (after.kind !== "found" || after.info.fp !== opts.fp) {
    return unreadable("changed while it was being hashed");
  }
  if (!opts.racy) opts.ctx.memoPut({ path, fp: opts.fp, digest });
  return { kind: "ok", input: { path, kind, digest } };
}

function unreadable(reason: string): PathState {
  return { kind: "unreadable", reason };
}
