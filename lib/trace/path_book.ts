/**
 * The per-path ledger behind the classifier: what the first access said about
 * each path's pre-run state, what the run did to it since, and the final
 * {@link Effects} lists. Rules (first access in trace order decides):
 *
 * - A read of a path the run has not yet changed records an input (`file`,
 *   `exec` or `listing`) and calls `onFirstRead` once per path.
 * - A probe that read no content (stat, access, readlink, chdir...) of a path the
 *   run has not yet changed records a `meta` input, once per probe kind; it is
 *   not fingerprinted early (the engine reads it after the run).
 * - A probe that fails with ENOENT/ENOTDIR records `absent`, kept even when the
 *   run itself created the path afterwards ("probe, then create"): the run's
 *   behaviour depended on the absence, so a hit needs it too. A path that
 *   exists before the next run misses that entry, and the next run records it
 *   as an input instead.
 * - A write that keeps old bytes (append, O_RDWR or O_WRONLY without O_TRUNC,
 *   truncate to a non-zero length) of a path not known to be absent is both an
 *   input and an output. O_TRUNC/creat/truncate-to-0 replace the content: output
 *   only. O_CREAT|O_EXCL, mkdir, symlink and link targets are known creations.
 * - A removal records a deletion unless the path is known to have been absent
 *   before the run (created then deleted in the run: nothing). A path first
 *   created by O_TRUNC (pre-state unknown) and then removed is still a deletion,
 *   which replays as a harmless no-op when it did not exist.
 * - Rename: see `path_moves.ts`.
 * - Writes, removals and renames outside the output roots are neither inputs
 *   nor outputs (logged at debug); the path is still marked as changed, so later
 *   reads of it are not inputs. Excluded paths are ignored entirely.
 * - Reading (opening, executing, listing, or stat'ing following links) a symlink the run
 *   itself created reads its target: the link is an output, not an input, and the
 *   target is never opened by its own name. The target, from the symlink call, resolved
 *   against the link's directory like any path, is read instead (first access rules apply
 *   to it), through chains of such links up to {@link MAX_LINK_HOPS}; so is a path
 *   through such a link (`q/x`, the prefix mapped). A link whose target the trace did
 *   not print in full makes the run untrusted when it is read through.
 * - A `file` input later known to be a directory (from a stat result) is
 *   dropped: opening a directory is not an input, listing it is. So is one
 *   known to be a FIFO, socket or device: it has no content to digest (and
 *   reading a FIFO to fingerprint it would block).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import { displayPath } from "../path/byte_path.ts";
import { logger } from "../log/logger.ts";
import type { AbsentErrno, StatType } from "./args.ts";
import type { Effects, MetaProbe, Trust } from "./effects.ts";
import type { PathFilter } from "./path_filter.ts";
import { CreatedLinks, MAX_LINK_HOPS } from "./created_links.ts";
import { type MoveLedger, renamePath } from "./path_moves.ts";
import {
  type InputKind,
  newPathRec,
  type OrderedInput,
  type OutputKind,
  type PathRec as Rec,
  readEffects,
  settleUnprinted,
} from "./path_records.ts";

export { MAX_LINK_HOPS };

/** How a write treats the old content. */
export type WriteHow = "create" | "replace" | "modify";

/** Options of a {@link PathBook}. */
export interface PathBookOptions {
  readonly filter: PathFilter;
  readonly onFirstRead?: (path: BytePath) => void;
  /** Marks the run untrusted with a reason. */
  readonly untrust: (reason: string) => void;
  /**
   * Resolves a symlink target against the link's directory, as traced paths are
   * normalized (default: a {@link PathNormalizer} of its own).
   */
  readonly resolve?: (base: BytePath, p: BytePath) => BytePath;
}

const log = logger("trace");

/**
 * The ledger.
 *
 * @example
 * ```ts
 * import { PathBook } from "./path_book.ts";
 * import { PathFilter } from "./path_filter.ts";
 * const book = new PathBook({ filter: new PathFilter({ exclude: [], outputRoots: ["/"] }), untrust: () => {} });
 * book.read("/src/a.c", "file");
 * book.write("/src/a.o", "replace");
 * book.finish({ kind: "trusted" }).outputs; // [{ path: "/src/a.o", kind: "file" }]
 * ```
 */
export class PathBook {
  readonly #recs = new Map<BytePath, Rec>();
  readonly #order: OrderedInput[] = [];
  readonly #opts: PathBookOptions;
  /** The symlinks the run made, while the path is one (see {@link CreatedLinks}). */
  readonly #links: CreatedLinks;

  /** What a rename may do to the ledger (see `path_moves.ts`). */
  readonly #ledger: MoveLedger;

  constructor(opts: PathBookOptions) {
    this.#opts = opts;
    this.#links = new CreatedLinks({
      untrust: (reason) => this.#opts.untrust(reason),
      resolve: opts.resolve,
    });
    this.#ledger = {
      get: (p) => this.#get(p),
      records: () => this.#recs.entries(),
      touch: (p, r, o) => this.#touch(p, r, o),
      readFile: (p) => this.read(p, "file"),
      createdExclusive: (p, r) => this.#createdExclusive(p, r),
      untrust: (reason) => this.#opts.untrust(reason),
      links: this.#links,
    };
  }

  #get(p: BytePath): Rec | null {
    let r = this.#recs.get(p);
    if (r !== undefined) return r;
    if (this.#opts.filter.excluded(p)) return null;
    r = newPathRec({ writable: this.#opts.filter.writable(p) });
    this.#recs.set(p, r);
    return r;
  }

  #input(
    p: BytePath,
    r: Rec,
    opts: { readonly kind: InputKind; readonly viaWrite?: boolean; readonly viaStat?: boolean },
  ): void {
    const { kind } = opts;
    if (r.inputs === null) r.inputs = new Set();
    if (r.inputs.has(kind)) return;
    r.inputs.add(kind);
    this.#order.push(
      opts.viaWrite
        ? { path: p, kind, viaWrite: true }
        : opts.viaStat
        ? { path: p, kind, viaStat: true }
        : { path: p, kind },
    );
    if (!r.announced) {
      r.announced = true;
      const cb = this.#opts.onFirstRead;
      if (cb !== undefined) {
        try {
          cb(p);
        } catch (e) {
          this.#opts.untrust(`onFirstRead(${displayPath(p)}) threw: ${String(e)}`);
        }
      }
    }
  }

  #touch(
    p: BytePath,
    r: Rec,
    opts: { readonly now: "exists" | "gone"; readonly out: OutputKind | null },
  ): void {
    const { now, out } = opts;
    r.touched = true;
    r.now = now;
    this.#links.set(p, null);
    if (!r.writable) {
      log.debug("ignoring change outside output roots: {path}", { path: displayPath(p) });
      return;
    }
    r.out = out;
  }

  /** Whether a change at `path` would be an output: not excluded, under an output root. */
  isOutput(path: BytePath): boolean {
    return !this.#opts.filter.excluded(path) && this.#opts.filter.writable(path);
  }

  /**
   * A probe that read no content found the path (stat, access, readlink, chdir, an
   * `O_PATH`/`O_DIRECTORY` open): a `meta` input, while the run has not changed the path.
   */
  meta(path: BytePath, probe: MetaProbe): void {
    const final = probe.kind === "stat" || probe.kind === "xattr";
    const p = this.#links.through(path, { final });
    if (p === null) return;
    const r = this.#get(p);
    if (r === null || r.touched) return;
    if (r.prior === "unknown") r.prior = "existed";
    const id = "meta:" + probe.kind;
    if (r.inputs === null) r.inputs = new Set();
    r.metaAt ??= new Map();
    if ((probe.kind === "stat" || probe.kind === "lstat") && probe.mode !== undefined) {
      const { mode } = probe;
      // An earlier probe that printed no mode (mv's failed rename and O_DIRECTORY probe,
      // gcc's readlink "not a link") saw what this one printed; a non-link's lstat is its stat.
      if (probe.kind === "lstat" && (mode & 0o170000) !== 0o120000) {
        settleUnprinted(this.#order, r, { path: p, kind: "stat", probe: { kind: "stat", mode } });
      }
      if (r.inputs.has(id)) settleUnprinted(this.#order, r, { path: p, kind: probe.kind, probe });
    }
    if (r.inputs.has(id)) return;
    r.inputs.add(id);
    r.metaAt.set(id, this.#order.length);
    this.#order.push({ path: p, kind: "meta", probe });
  }

  /**
   * A probe found the path missing, with `errno` (ENOENT when not given): the input keeps
   * which error it was, since a program can tell them apart.
   */
  absent(
    path: BytePath,
    opts: { readonly errno?: AbsentErrno; readonly ifKept?: boolean } = {},
  ): void {
    const p = this.#links.through(path, { final: true });
    if (p === null) return;
    const r = this.#get(p);
    if (r === null) return;
    if (!r.touched) {
      if (r.prior === "unknown") r.prior = "absent";
      if (r.inputs === null) r.inputs = new Set();
      if (!r.inputs.has("absent")) {
        r.inputs.add("absent");
        this.#order.push(
          opts.errno === "ENOTDIR"
            ? { path: p, kind: "absent", errno: "ENOTDIR" }
            : opts.ifKept
            ? { path: p, kind: "absent", ifKept: true }
            : { path: p, kind: "absent" },
        );
      }
    }
    r.now = "gone";
  }

  /**
   * A probe found the path present, with its type (and a stat's `size`) when printed. A
   * regular file is a `file` input.
   */
  exists(path: BytePath, type: StatType, opts: { readonly size?: number | null } = {}): void {
    // A type other than "link" (or unknown) comes from a probe that followed the link.
    const final = type === "reg" || type === "dir" || type === "special";
    const p = this.#links.through(path, { final });
    if (p === null) return;
    const r = this.#get(p);
    if (r === null) return;
    if (!r.touched) {
      if (r.prior === "unknown") r.prior = "existed";
      if (type !== "unknown") r.type = type;
      if (type === "reg") {
        if (r.statSize === null && opts.size !== undefined) r.statSize = opts.size;
        this.#input(p, r, { kind: "file", viaStat: true });
      }
    }
    r.now = "exists";
  }

  /** The path was read (opened for reading, exec'd, or listed). */
  read(path: BytePath, kind: "file" | "exec" | "listing"): void {
    const p = this.#links.through(path, { final: true });
    if (p === null) return;
    const r = this.#get(p);
    if (r === null) return;
    if (!r.touched) {
      if (r.prior === "unknown") r.prior = "existed";
      if (kind === "listing") r.type = "dir";
      r.contentRead = true;
      this.#input(p, r, { kind });
    } else if (r.keptOld && !r.replaced) {
      this.#opts.untrust(
        `read ${displayPath(p)} back after appending to it outside the output roots: ` +
          "what it held before is not recorded",
      );
    }
    r.now = "exists";
  }

  /**
   * The path was written; see {@link WriteHow}. Opening for writing follows a symlink the
   * run made, so the write lands on (and the output is) the link's target.
   */
  write(path: BytePath, how: WriteHow): void {
    const p = this.#links.through(path, { final: true });
    if (p === null) return;
    const r = this.#get(p);
    if (r === null) return;
    if (how === "create") this.#createdExclusive(p, r, { file: true });
    if (!r.touched) {
      if (how === "modify" && r.now !== "gone" && r.writable) {
        this.#input(p, r, { kind: "file", viaWrite: true });
      }
    }
    if (how === "modify" && !r.writable && !r.replaced && r.now !== "gone") r.keptOld = true;
    if (how !== "modify") r.replaced = true;
    this.#touch(p, r, { now: "exists", out: "file" });
  }

  /**
   * A directory or symlink was created at the path; a symlink's `target` as the call
   * printed it (`null`: not printed in full).
   */
  made(
    p: BytePath,
    kind: "dir" | "symlink",
    opts: { readonly target?: BytePath | null } = {},
  ): void {
    const r = this.#get(p);
    if (r === null) return;
    this.#createdExclusive(p, r);
    this.#touch(p, r, { now: "exists", out: kind });
    if (kind === "symlink") this.#links.made(p, { target: opts.target });
  }

  /**
   * An exclusive create succeeded (mkdir, symlink, link, O_EXCL, RENAME_NOREPLACE): it
   * would have failed had the path existed, so its absence is an input, even when the run
   * removes the path again (`mkdir lock && ... && rmdir lock`). A `file` the run no longer
   * has at the end (a temp file renamed into place or deleted) is nothing, as the issue's
   * rules have it: its absence is kept only if the file is kept.
   */
  #createdExclusive(p: BytePath, r: Rec, opts: { readonly file?: boolean } = {}): void {
    if (r.touched || r.prior === "existed") return;
    this.absent(p, { ifKept: opts.file === true });
  }

  /** The path was removed (unlink/rmdir). */
  remove(p: BytePath, opts: { readonly dir?: boolean } = {}): void {
    const r = this.#get(p);
    if (r === null) return;
    const removed = { kind: "removed", dir: opts.dir === true } as const;
    if (!r.touched && r.prior === "unknown") {
      // Nothing was known of it: that the removal succeeded is what the run relied on.
      this.meta(p, removed);
      r.prior = "existed";
    } else if (!r.touched) {
      // Known only to exist (tar's O_EXCL open failed with EEXIST, then it unlinks): the
      // removal tells what it was, a non-directory or an empty directory.
      settleUnprinted(this.#order, r, { path: p, kind: "lstat", probe: removed });
    }
    this.#touch(p, r, { now: "gone", out: null });
    r.removed = true;
  }

  /** `link(old, new)`: `new` gets `old`'s bytes. */
  link(oldPath: BytePath, newPath: BytePath): void {
    const o = this.#recs.get(oldPath);
    if (o === undefined || !o.touched) this.read(oldPath, "file");
    this.write(newPath, "create");
  }

  /** A successful rename; `exchange` swaps, `noReplace` proves `dst` was absent. */
  rename(src: BytePath, dst: BytePath, opts: { exchange: boolean; noReplace: boolean }): void {
    renamePath(this.#ledger, { src, dst, ...opts });
  }

  /** Type learned from an fd stat (`fstat`), applied while the path is unchanged. */
  typeHint(p: BytePath, type: StatType): void {
    const r = this.#recs.get(p);
    if (r === undefined || type === "unknown") return;
    if (r.touched) {
      if (r.out === "file" && type === "special") {
        this.#opts.untrust(`wrote to FIFO/socket/device ${displayPath(p)}: not a cacheable output`);
      }
      return;
    }
    r.type = type;
  }

  /** Builds the final effects. */
  finish(trust: Trust): Effects {
    return readEffects(this.#recs, this.#order, { trust });
  }
}
