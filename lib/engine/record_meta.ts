/**
 * Recording `meta` inputs after the run: what a probe that read no content saw (type and
 * bits, a link's target, xattrs through ctime, a size, what a removal needed), read now
 * for a path the run did not change, or taken from the trace for one it did.
 *
 * @module
 */
import { type BytePath, displayPath, fsPath } from "../path/byte_path.ts";
import { readLinkBytes } from "../runtime/mod.ts";
import {
  linkMetaDigest,
  sizeMetaDigest,
  statMetaDigest,
  xattrMetaDigest,
} from "../store/meta_digest.ts";
import type { ObservedInput } from "../trace/effects.ts";
import { type RecordOne, type Touched, touchedAncestor, underChanged } from "./_touched.ts";
import type { StatStamp } from "./fingerprint.ts";

/**
 * A meta input, read now (after the run): the state of a path the run did not touch.
 * ctime must predate the run (a chmod, a re-created link or a replaced file moves it),
 * except for directories, whose ctime moves whenever an entry changes and whose digest
 * holds only type and mode.
 *
 * @example
 * ```ts ignore
 * const one = recordMeta(input, { touched, limit, prior: (p) => null });
 * ```
 */
export function recordMeta(
  input: Extract<ObservedInput, { kind: "meta" }>,
  opts: {
    readonly touched: Touched;
    readonly limit: bigint;
    /** The path's stat from before the run, when one was taken. */
    readonly prior: (path: BytePath) => StatStamp | null;
  },
): RecordOne {
  const { path, probe } = input;
  // What the stat showed before the run replaced the file: only the trace still knows it.
  if (probe.kind === "size") {
    return { kind: "ok", input: { path, kind: "meta", digest: sizeMetaDigest(probe.size) } };
  }
  if (opts.touched.paths.has(path)) return metaBeforeRun(input, opts.prior(path));
  const ancestor = touchedAncestor(path, opts.touched);
  if (ancestor !== null) return underChanged(path, ancestor);
  const changed = (): RecordOne => ({
    kind: "unstorable",
    reason: `input ${displayPath(path)} changed while the command ran`,
  });
  let st;
  try {
    st = opts.touched.stats.get(path, { lstat: probe.kind !== "stat" && probe.kind !== "xattr" });
  } catch (e) {
    return {
      kind: "unstorable",
      reason: `cannot stat input ${displayPath(path)}: ${(e as Error).message}`,
    };
  }
  if (st === null) {
    return { kind: "unstorable", reason: `${displayPath(path)} vanished during the run` };
  }
  if (!st.isDir && st.ctimeNs >= opts.limit) return changed();
  // A directory's ctime moves with every entry, so it is not checked above: the mode the
  // trace printed is (`stat -c %a d; chmod 700 d` must not record 700 as what it saw).
  const isLink = (st.mode & 0o170000) === 0o120000;
  if ((probe.kind === "stat" || probe.kind === "lstat") && probe.mode !== undefined) {
    // `current/` with a trailing slash follows the link even under AT_SYMLINK_NOFOLLOW.
    const followed = probe.kind === "lstat" && isLink && (probe.mode & 0o170000) !== 0o120000;
    if (probe.mode !== st.mode && !followed) return changed();
  }
  if (probe.kind === "xattr" || probe.kind === "lxattr") {
    const digest = xattrMetaDigest(probe.kind, st);
    return { kind: "ok", input: { path, kind: "meta", digest } };
  }
  // A link seen without being followed is recorded by its target (which also gives its
  // size, what `stat -c %s link` prints): re-pointing it is a miss.
  if (probe.kind === "stat" || (!isLink && (probe.kind === "lstat" || probe.kind === "entry"))) {
    const how = probe.kind === "stat" ? "stat" : "lstat";
    return { kind: "ok", input: { path, kind: "meta", digest: statMetaDigest(how, st.mode) } };
  }
  let now;
  try {
    now = readLinkBytes(fsPath(path));
  } catch (e) {
    return {
      kind: "unstorable",
      reason: `cannot read link ${displayPath(path)}: ${(e as Error).message}`,
    };
  }
  if (now === null) return changed();
  // The link's ctime predates the run, so its target now is the one the run read.
  const target = now.toString("latin1");
  if (probe.kind === "readlink" && probe.target !== null && probe.target !== target) {
    return changed();
  }
  return { kind: "ok", input: { path, kind: "meta", digest: linkMetaDigest(target) } };
}

/**
 * A meta input on a path the run then changed (`test -d d && rm -r d`, `mkdir lock || ...
 * rmdir lock`, mv's lstat of its target): the path now shows the run's doing, so what the
 * probe saw comes from the trace (a stat's printed mode, a readlink's target) or from the
 * stat taken before the run changed it (`prior`: a file input fingerprinted early, for an
 * `access` probe). Without either the run is unstorable. Attribute reads are the exception.
 */
function metaBeforeRun(
  input: Extract<ObservedInput, { kind: "meta" }>,
  prior: StatStamp | null,
): RecordOne {
  const { path, probe } = input;
  let digest: string | null = null;
  if ((probe.kind === "stat" || probe.kind === "lstat") && probe.mode !== undefined) {
    digest = statMetaDigest(probe.kind, probe.mode);
  } else if (probe.kind === "readlink" && probe.target !== null) {
    digest = linkMetaDigest(probe.target);
  } else if (probe.kind === "removed") {
    digest = probe.dir ? "e:" : "n:";
  } else if (prior !== null && probe.kind === "stat") {
    digest = statMetaDigest("stat", prior.mode); // `prior` followed links, as stat does
  } else if (probe.kind === "xattr" || probe.kind === "lxattr") {
    // `sed -i` and `cp -p` read the attributes of the file they then replace, to copy them
    // onto the new one. casher restores no attributes on outputs, and the ctime that stands
    // for them here would make every such run miss once the file is rewritten: a
    // documented limit, like output attributes themselves.
    return { kind: "ok", input: null };
  }
  if (digest !== null) return { kind: "ok", input: { path, kind: "meta", digest } };
  return {
    kind: "unstorable",
    reason: `${displayPath(path)} was checked (${probe.kind}), then changed by the command: ` +
      "what it was before the run is not known",
  };
}
