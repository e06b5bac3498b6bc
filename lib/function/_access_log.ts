/**
 * The first-access rule for one tracked call: turns the ordered stream of recorded file
 * operations into {@link Effects} (inputs, outputs, deletions, trust), the same shape the
 * strace classifier produces, so the engine treats both modes alike.
 *
 * - The first access of a path decides: read first = input (found absent = "must stay
 *   absent"), written first = output only. Read first and written later = both.
 * - `copyFile(src, dst)`: src input, dst output. `rename(a, b)`: b output; a is an input
 *   and a deletion if it existed before the call, else the run's own temp file vanished.
 * - Removing a path the call created drops it (temp files); removing a pre-existing path
 *   is a deletion. Re-creating a deleted path cancels the deletion.
 * - A probe that found a directory records nothing (directory existence is not tracked).
 * - A removal, an exclusive create (`wx`) or a `mkdir` without `recursive` succeeds or fails
 *   by what is at the path: the hooks note that first (`before`), as an absent input or as
 *   the `lstat` mode found there (a `meta` input), unless the path was seen already.
 * - A read through a symlink the call created is also a read of the link's target (the
 *   tracker asks {@link AccessLog.createdSymlink} and notes the target as read too).
 *
 * @module
 */
import { statSync } from "node:fs";
import { type BytePath, fsPath, isUnder } from "../path/byte_path.ts";
import type { Effects, ObservedInput, ObservedOutput } from "../trace/effects.ts";
import type { FsAccess, FsOutcome } from "../runtime/fs_hooks.ts";

/** `{ mode }`: what a removal or exclusive create found there first (an `lstat` mode). */
type InputKind = "file" | "absent" | "present" | { readonly mode: number };

/**
 * Accumulates file operations of one call in order.
 *
 * @example
 * ```ts
 * import { AccessLog } from "./_access_log.ts";
 * const log = new AccessLog();
 * log.note("write", "/tmp/out", { outcome: "ok" });
 * log.note("read", "/tmp/out", { outcome: "ok" }); // written first: not an input
 * log.finish().outputs; // [{ path: "/tmp/out", kind: "file" }]
 * ```
 */
export class AccessLog {
  /** Paths accessed at all, with their input kind if the first access was a read/probe. */
  readonly #seen = new Map<BytePath, InputKind | null>();
  readonly #inputs: BytePath[] = [];
  readonly #listings: BytePath[] = [];
  readonly #outputs = new Map<BytePath, ObservedOutput["kind"]>();
  /** Pre-existing paths removed by the call. */
  readonly #deleted = new Set<BytePath>();
  #untrusted: string | null = null;

  /** Records one operation and how it ended (paths must be absolute and normalized). */
  note(
    access: FsAccess,
    path: BytePath,
    opts: { readonly outcome: FsOutcome; readonly mode?: number },
  ): void {
    const { outcome } = opts;
    switch (access) {
      case "before":
        if (outcome === "absent") return this.#first(path, "absent");
        return this.#first(path, opts.mode === undefined ? null : { mode: opts.mode });
      case "read":
        if (outcome === "failed") return this.#first(path, "file");
        return this.#first(path, outcome === "absent" ? "absent" : "file");
      case "probe":
        if (outcome === "dir" || outcome === "failed") return this.#first(path, null);
        return this.#first(path, outcome === "absent" ? "absent" : "present");
      case "list":
        if (outcome === "absent") return this.#first(path, "absent");
        if (outcome === "ok" && !this.#listings.includes(path)) this.#listings.push(path);
        return;
      case "write":
      case "update":
      case "create":
        return this.#created(path, "file", { outcome });
      case "mkdir":
      case "mkdir-new":
        return this.#created(path, "dir", { outcome });
      case "symlink":
        return this.#created(path, "symlink", { outcome });
      case "remove":
      case "remove-any":
        return this.#removed(path, outcome, { moved: false });
      case "move-from":
        return this.#removed(path, outcome, { moved: true });
    }
  }

  /** Whether `path` is a symlink this call created (and still holds as an output). */
  createdSymlink(path: BytePath): boolean {
    return this.#outputs.get(path) === "symlink";
  }

  /** Marks the call as not cacheable, keeping the first reason. */
  untrust(reason: string): void {
    this.#untrusted ??= reason;
  }

  /** The classified effects. Probes that found something are resolved by a stat now. */
  finish(): Effects {
    const inputs: ObservedInput[] = [];
    for (const path of this.#inputs) {
      const kind = this.#seen.get(path);
      if (typeof kind === "object" && kind !== null) {
        inputs.push({ path, kind: "meta", probe: { kind: "lstat", mode: kind.mode } });
      } else if (kind === "present") {
        if (!isDirectory(path)) inputs.push({ path, kind: "file" });
      } else if (kind === "file" || kind === "absent") inputs.push({ path, kind });
    }
    for (const path of this.#listings) inputs.push({ path, kind: "listing" });
    return {
      trust: this.#untrusted === null
        ? { kind: "trusted" }
        : { kind: "untrusted", reason: this.#untrusted },
      inputs,
      outputs: [...this.#outputs].map(([path, kind]) => ({ path, kind })),
      deletions: [...this.#deleted],
    };
  }

  #first(path: BytePath, kind: InputKind | null): void {
    if (this.#seen.has(path)) return;
    this.#seen.set(path, kind);
    if (kind !== null) this.#inputs.push(path);
  }

  #created(
    path: BytePath,
    kind: ObservedOutput["kind"],
    opts: { readonly outcome: FsOutcome },
  ): void {
    if (opts.outcome !== "ok") return;
    if (!this.#seen.has(path)) this.#seen.set(path, null);
    this.#deleted.delete(path);
    if (!this.#outputs.has(path)) this.#outputs.set(path, kind);
  }

  /** Records removing `path` (`moved`: it was the source of a rename). */
  #removed(path: BytePath, outcome: FsOutcome, opts: { readonly moved: boolean }): void {
    const { moved } = opts;
    if (outcome !== "ok") return;
    const ours = this.#outputs.has(path) && !this.#existedBefore(path);
    for (const p of [...this.#outputs.keys()]) if (isUnder(p, path)) this.#outputs.delete(p);
    if (ours) return;
    if (moved) this.#first(path, "file");
    else this.#first(path, null);
    this.#deleted.add(path);
  }

  /** Whether the path was there before the call first touched it (read/probed found, not created). */
  #existedBefore(path: BytePath): boolean {
    const k = this.#seen.get(path);
    return k === "file" || k === "present" || (typeof k === "object" && k !== null);
  }
}

function isDirectory(path: BytePath): boolean {
  try {
    return statSync(fsPath(path)).isDirectory();
  } catch {
    return false;
  }
}
