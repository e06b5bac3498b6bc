/**
 * What the `PathBook` (path_book.ts) keeps: one record per path, the inputs in trace
 * order, and how they read out as the final {@link Effects} lists.
 *
 * @module
 */
import { type BytePath, displayPath } from "../path/byte_path.ts";
import type { StatType } from "./args.ts";
import type { Effects, MetaProbe, ObservedInput, ObservedOutput, Trust } from "./effects.ts";

/** An input kind that reads content. */
export type InputKind = Exclude<ObservedInput["kind"], "meta" | "absent">;
/** What kind of object an output is. */
export type OutputKind = ObservedOutput["kind"];

/** What the ledger knows of one path. */
export interface PathRec {
  touched: boolean;
  prior: "unknown" | "existed" | "absent";
  now: "unknown" | "exists" | "gone";
  out: OutputKind | null;
  removed: boolean;
  type: StatType;
  /** Input kinds recorded for the path (`meta:<probe>` for meta inputs). */
  inputs: Set<string> | null;
  announced: boolean;
  readonly writable: boolean;
  /** Its content was read before the run changed it (not merely stat'ed). */
  contentRead: boolean;
  /** The run replaced its whole content (truncating write, create, rename onto it). */
  replaced: boolean;
  /** The size the first stat showed, before the run changed the path (null: none seen). */
  statSize: number | null;
  /**
   * Changed outside the output roots by a write that kept the old content (an append):
   * reading it back then reads what casher neither records nor replays.
   */
  keptOld: boolean;
  /** Where each meta input of the path sits in the trace-order list, by probe kind. */
  metaAt: Map<string, number> | null;
}

/** An input as recorded, in trace order. */
export type OrderedInput =
  | { path: BytePath; kind: InputKind; viaWrite?: boolean; viaStat?: boolean }
  | { path: BytePath; kind: "meta"; probe: MetaProbe }
  /** `ifKept`: an exclusively created file's absence, an input only if the file survives. */
  | { path: BytePath; kind: "absent"; errno?: "ENOTDIR"; ifKept?: true };

/**
 * A fresh record of a path nothing is known of yet.
 *
 * @example
 * ```ts
 * import { newPathRec } from "./path_records.ts";
 * newPathRec({ writable: true }).prior; // "unknown"
 * ```
 */
export function newPathRec(opts: { readonly writable: boolean }): PathRec {
  return {
    touched: false,
    prior: "unknown",
    now: "unknown",
    out: null,
    removed: false,
    type: "unknown",
    inputs: null,
    announced: false,
    writable: opts.writable,
    contentRead: false,
    replaced: false,
    statSize: null,
    keptOld: false,
    metaAt: null,
  };
}

/**
 * Replaces the path's earlier `kind` meta input by `probe` when that input printed no mode:
 * what the path was when the run looked, which only the trace knows once the run changed it.
 *
 * @example
 * ```ts ignore
 * settleUnprinted(order, rec, { path: "/w/log", kind: "lstat", probe: { kind: "lstat", mode } });
 * ```
 */
export function settleUnprinted(
  order: OrderedInput[],
  r: PathRec,
  at: { readonly path: BytePath; readonly kind: "stat" | "lstat"; readonly probe: MetaProbe },
): void {
  const i = r.metaAt?.get("meta:" + at.kind);
  const first = i === undefined ? undefined : order[i];
  if (i === undefined || first?.kind !== "meta" || first.probe.kind !== at.kind) return;
  if (first.probe.mode === undefined) order[i] = { path: at.path, kind: "meta", probe: at.probe };
}

/**
 * Builds the final effects from the records and the inputs in trace order.
 *
 * @example
 * ```ts
 * import { readEffects } from "./path_records.ts";
 * readEffects(new Map(), [], { trust: { kind: "trusted" } }).inputs; // []
 * ```
 */
export function readEffects(
  recs: ReadonlyMap<BytePath, PathRec>,
  order: readonly OrderedInput[],
  opts: { readonly trust: Trust },
): Effects {
  const inputs: ObservedInput[] = [];
  let trust = opts.trust;
  for (const o of order) {
    if (o.kind === "absent" && o.ifKept) {
      if (recs.get(o.path)?.now === "exists") inputs.push({ path: o.path, kind: "absent" });
      continue;
    }
    if (o.kind === "meta" || o.kind === "absent") {
      inputs.push(o);
      continue;
    }
    const { path, kind, viaWrite, viaStat } = o;
    const r = recs.get(path)!;
    if (kind === "file" && r.type === "special" && r.contentRead) {
      // What a FIFO, socket or device gave is not content casher can record or compare.
      if (trust.kind === "trusted") {
        trust = {
          kind: "untrusted",
          reason: `read from FIFO/socket/device ${displayPath(path)}: not a cacheable input`,
        };
      }
      continue;
    }
    if (kind === "file" && (r.type === "dir" || r.type === "special")) continue;
    // Stat'ed, never read, then wholly replaced by the run (gcc stats `-o m.o` before
    // writing it): its old content cannot reach the results, but what the stat showed can
    // (`test -s f`), so its type and permissions (the meta input) and its size are kept.
    if (kind === "file" && viaStat && !r.contentRead && r.replaced) {
      if (r.statSize !== null) {
        inputs.push({ path, kind: "meta", probe: { kind: "size", size: r.statSize } });
      } else if (trust.kind === "trusted") {
        trust = { kind: "untrusted", reason: `stat of ${displayPath(path)} printed no size` };
      }
      continue;
    }
    inputs.push(viaWrite ? { path, kind, priorUnknown: true } : { path, kind });
  }
  const outputs: ObservedOutput[] = [];
  const deletions: BytePath[] = [];
  for (const [path, r] of recs) {
    if (r.now === "exists" && r.out !== null) outputs.push({ path, kind: r.out });
    else if (r.now === "gone" && r.removed && r.prior !== "absent" && r.writable) {
      deletions.push(path);
    }
  }
  return { trust, inputs, outputs, deletions };
}
