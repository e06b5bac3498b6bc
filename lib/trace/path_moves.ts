/**
 * Renames in the path ledger ({@link PathBook}): the destination becomes an output of the
 * source's kind; a source the run did not create is also a `file` input (the output's
 * bytes come from it) and a deletion. Renaming a pre-existing directory makes the run
 * untrusted (its untouched contents cannot be captured); the records under a directory
 * the run made move with it. `RENAME_EXCHANGE`: both sides are inputs (when pre-existing)
 * and outputs.
 *
 * @module
 */
import { type BytePath, displayPath } from "../path/byte_path.ts";
import type { CreatedLinks } from "./created_links.ts";
import { isDirNow } from "./live_probe.ts";
import type { OutputKind, PathRec as Rec } from "./path_records.ts";

/** What a rename may do to the ledger: the narrow view {@link PathBook} hands out. */
export interface MoveLedger {
  /** The record of `p`, made on first use; `null` for an excluded path. */
  get(p: BytePath): Rec | null;
  /** Every record so far. */
  records(): Iterable<[BytePath, Rec]>;
  /** The run changed `p`: it now exists (as an output of `out`) or is gone. */
  touch(
    p: BytePath,
    r: Rec,
    opts: { readonly now: "exists" | "gone"; readonly out: OutputKind | null },
  ): void;
  /** The run read `p`'s bytes (first access rules apply). */
  readFile(p: BytePath): void;
  /** An exclusive create succeeded at `p`: its absence before is an input. */
  createdExclusive(p: BytePath, r: Rec): void;
  untrust(reason: string): void;
  /** The symlinks the run made, while the path is one. */
  readonly links: CreatedLinks;
}

/**
 * Records a successful rename of `src` to `dst`.
 *
 * @example
 * ```ts ignore
 * renamePath(ledger, { src: "/w/out.tmp", dst: "/w/out", exchange: false, noReplace: false });
 * ```
 */
export function renamePath(
  book: MoveLedger,
  move: {
    readonly src: BytePath;
    readonly dst: BytePath;
    /** `RENAME_EXCHANGE`: the two paths swap. */
    readonly exchange: boolean;
    /** `RENAME_NOREPLACE`: the call proves `dst` was absent. */
    readonly noReplace: boolean;
  },
): void {
  const { src, dst } = move;
  if (src === dst) return;
  const s = book.get(src);
  const d = book.get(dst);
  if (move.noReplace && d !== null) book.createdExclusive(dst, d);
  // A pre-existing object renamed without being stat'ed first (`mv d e`): what it is
  // shows at its new name.
  const sDir = s?.type === "dir" ||
    (s !== null && !s.touched && s.type === "unknown" && isDirNow(dst));
  const sKind: OutputKind = s?.out ?? (sDir ? "dir" : "file");
  const dKind: OutputKind = d?.out ?? (d?.type === "dir" ? "dir" : "file");
  source(book, { p: src, r: s, kind: sKind });
  const sLink = s === null ? null : book.links.target(src);
  const dLink = d === null ? null : book.links.target(dst);
  if (move.exchange) {
    source(book, { p: dst, r: d, kind: dKind });
    if (s !== null) book.touch(src, s, { now: "exists", out: dKind });
    if (d !== null) book.touch(dst, d, { now: "exists", out: sKind });
    if (s !== null) book.links.set(src, dLink);
    if (d !== null) book.links.set(dst, sLink);
    return;
  }
  if (sKind === "dir") moveChildren(book, { src, dst });
  if (s !== null) {
    if (!s.touched && s.prior === "unknown") s.prior = "existed";
    book.touch(src, s, { now: "gone", out: null });
    s.removed = true;
  }
  if (d !== null) {
    d.replaced = true;
    book.touch(dst, d, { now: "exists", out: sKind });
    book.links.set(dst, sLink);
  }
}

/** What a renamed path held before the run is where the destination's bytes come from. */
function source(
  book: MoveLedger,
  { p, r, kind }: { readonly p: BytePath; readonly r: Rec | null; readonly kind: OutputKind },
): void {
  if (r === null || r.touched) return;
  if (kind === "dir") {
    book.untrust(
      `renamed pre-existing directory ${displayPath(p)}: its contents cannot be captured`,
    );
    return;
  }
  book.readFile(p);
}

/** Moves the records of what exists under `src` to the same names under `dst`. */
function moveChildren(
  book: MoveLedger,
  { src, dst }: { readonly src: BytePath; readonly dst: BytePath },
): void {
  const prefix = src + "/";
  const moved: [BytePath, Rec][] = [];
  for (const [p, r] of book.records()) {
    if (p.startsWith(prefix) && r.now === "exists") moved.push([p, r]);
  }
  for (const [p, r] of moved) {
    const kind = r.out ?? "file";
    const link = book.links.target(p);
    if (!r.touched && r.prior === "unknown") r.prior = "existed";
    book.touch(p, r, { now: "gone", out: null });
    r.removed = true;
    const q = dst + p.slice(src.length);
    const nr = book.get(q);
    if (nr !== null) {
      book.touch(q, nr, { now: "exists", out: kind });
      book.links.set(q, link);
    }
  }
}
