/**
 * Turns a run's observed inputs into recorded inputs, using fingerprints taken as early
 * as possible (see `fingerprint.ts`). Refuses (returns `unstorable`) whenever the
 * pre-run state of an input cannot be vouched for.
 *
 * @module
 */
import { type BytePath, displayPath, fsPath } from "../path/byte_path.ts";
import { missingErrno } from "../runtime/mod.ts";
import { absentDigest } from "../store/digest_path.ts";
import { RACY_MS, stampFingerprint } from "../store/fingerprint.ts";
import {
  type RecordOne,
  type Touched,
  touchedAncestor,
  touchedByRun,
  underChanged,
} from "./_touched.ts";
import { recordMeta } from "./record_meta.ts";
import { PostRunStats } from "./_post_run_stats.ts";
import { limitConcurrency } from "./_limit.ts";
import { execInterpreter } from "./exec_interpreter.ts";
import type { RecordedInput } from "../store/types.ts";
import type { Effects, ObservedInput } from "../trace/effects.ts";
import {
  type ContentSnapshot,
  ctimeLimit,
  type Digester,
  exists,
  type Fingerprint,
  fingerprint,
  fingerprintSnapshot,
  type MemoLookup,
  sameStamp,
  snapshotFile,
  type StatStamp,
} from "./fingerprint.ts";

/** Content digests computed at once while recording (the machine has few cores). */
const DIGEST_CONCURRENCY = 4;

/** Prefetched files up to this size are read into memory instead of hashed before the run. */
const PREFETCH_SNAPSHOT_BYTES = 1 << 20;

/** Recorded inputs, or the reason the run cannot be stored. */
export type InputsVerdict =
  | { readonly kind: "ok"; readonly inputs: RecordedInput[] }
  | { readonly kind: "unstorable"; readonly reason: string };

/**
 * Collects early fingerprints during a run and produces the recorded inputs after it.
 *
 * @example
 * ```ts ignore
 * const rec = new InputRecorder({ startedAt: Date.now(), digest });
 * rec.onFirstRead("/src/a.c"); // while the run goes on
 * const verdict = await rec.finish({ declared: [], effects });
 * ```
 */
export class InputRecorder {
  readonly #early = new Map<BytePath, Promise<Fingerprint>>();
  /** Small files read whole before the run by {@link prefetch}; hashed only when needed. */
  readonly #snapshots = new Map<BytePath, ContentSnapshot>();
  /** Paths whose early fingerprint was taken by {@link prefetch}, before the run started. */
  readonly #prefetched = new Set<BytePath>();
  /** Early fingerprints already settled, by path (filled by `finish`). */
  readonly #settled = new Map<BytePath, Fingerprint>();
  #ctimeLimit: bigint | undefined;
  readonly #options: { startedAt: number; digest: Digester; memo?: MemoLookup };

  /**
   * Creates a recorder for a run that started at `startedAt` (ms). With `memo`, a file whose
   * trusted stat fingerprint the digest memo knows is fingerprinted without hashing.
   */
  constructor(options: { startedAt: number; digest: Digester; memo?: MemoLookup }) {
    // The synchronous part of a fingerprint (stat, open) happens at once; the hashing
    // behind it is queued, a few at a time.
    this.#options = { ...options, digest: limitConcurrency(options.digest, DIGEST_CONCURRENCY) };
  }

  /**
   * Starts fingerprinting `path` now, once; the result is awaited in `finish`. A
   * `snapshot` of the content taken synchronously at the read is used when given.
   */
  readonly onFirstRead = (path: BytePath, snapshot?: ContentSnapshot | null): void => {
    if (this.#early.has(path) || this.#snapshots.has(path)) return;
    this.#early.set(
      path,
      snapshot ? fingerprintSnapshot(snapshot, this.#options) : fingerprint(path, this.#options),
    );
  };

  /**
   * Captures the pre-run state of `paths` now and waits until it is captured: called before
   * the work starts, so likely inputs (named on the command line, written by earlier
   * candidates) have it even when the run rewrites them in place at once. A small file is
   * read whole and hashed only if the run turns out to read it: most such paths are outputs
   * (`-o m.o`), and hashing before the run would put the hasher's start-up in front of it.
   */
  async prefetch(paths: Iterable<BytePath>): Promise<void> {
    for (const p of paths) {
      if (this.#early.has(p) || this.#snapshots.has(p)) continue;
      this.#prefetched.add(p);
      const snapshot = snapshotFile(p, { maxBytes: PREFETCH_SNAPSHOT_BYTES });
      if (snapshot !== null) this.#snapshots.set(p, snapshot);
      else this.onFirstRead(p);
    }
    await Promise.all(this.#early.values());
  }

  /** The early fingerprint of `path`, if one was taken (a snapshot is hashed now). */
  #earlyOf(path: BytePath): Promise<Fingerprint> | undefined {
    const early = this.#early.get(path);
    if (early !== undefined) return early;
    const snapshot = this.#snapshots.get(path);
    if (snapshot === undefined) return undefined;
    const fp = fingerprintSnapshot(snapshot, this.#options);
    this.#early.set(path, fp);
    return fp;
  }

  /**
   * Resolves the recorded inputs: declared ones first, then observed ones in trace order.
   * Every input is still checked against the file system now, after the run; only the
   * waiting is batched: the early fingerprints are awaited once, and an input whose check
   * needs no new digest is recorded synchronously.
   */
  async finish(
    run: { declared: readonly BytePath[]; effects: Effects },
  ): Promise<InputsVerdict> {
    await this.#settleEarly();
    const touched = touchedByRun(run.effects, new PostRunStats());
    const observed: ObservedInput[] = run.declared.map((path) => ({ path, kind: "file" }));
    const recorded: RecordedInput[] = [];
    const seen = new Set<string>();
    const queue = [...observed, ...run.effects.inputs];
    for (let i = 0; i < queue.length; i++) {
      const input = queue[i];
      const id = `${
        input.kind === "meta" ? "meta:" + input.probe.kind : input.kind
      }\0${input.path}`;
      if (seen.has(id)) continue;
      seen.add(id);
      let one = this.#recordOne(input, touched);
      if (one instanceof Promise) one = await one;
      if (one.kind === "unstorable") return one;
      if (one.input) recorded.push(one.input);
      if (input.kind === "exec") {
        // The kernel loads a script's #! interpreter and a binary's dynamic loader itself,
        // out of the trace's sight: they are inputs too.
        const interp = execInterpreter(input.path);
        if (interp !== null) queue.splice(i + 1, 0, { path: interp, kind: "exec" });
      }
    }
    return { kind: "ok", inputs: recorded };
  }

  /**
   * Waits for every early fingerprint at once and keeps the results by path. One that
   * failed stays unsettled: awaiting it where it is needed rethrows, as before.
   */
  async #settleEarly(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const [path, fp] of this.#early) {
      if (this.#settled.has(path)) continue;
      pending.push(fp.then((v) => void this.#settled.set(path, v), () => {}));
    }
    await Promise.all(pending);
  }

  /**
   * The stat of `path` from before the run (its early fingerprint or prefetched snapshot,
   * taken while its ctime still predated the run), or `null`.
   */
  #priorStamp(path: BytePath): StatStamp | null {
    const fp = this.#settled.get(path);
    if (fp !== undefined) return fp.kind === "ok" ? fp.stamp : null;
    return this.#snapshots.get(path)?.stamp ?? null;
  }

  /** The run's ctime limit (see {@link ctimeLimit}), computed once. */
  #limit(): bigint {
    return this.#ctimeLimit ??= ctimeLimit(this.#options.startedAt);
  }

  /** Records one input: synchronously unless a digest must still be computed. */
  #recordOne(input: ObservedInput, touched: Touched): RecordOne | Promise<RecordOne> {
    const { path } = input;
    const changedByRun = touched.paths.has(path) || touched.dirs.has(path);
    if (input.kind === "absent") {
      // Probed absent, then created by the run: the run's behaviour depended on the absence
      // ("[ -f out ] || gen > out"), so the entry keeps it and a later `out` misses.
      if (changedByRun || !exists(path)) {
        const digest = absentDigest(input.errno ?? "ENOENT");
        return { kind: "ok", input: { path, kind: "absent", digest } };
      }
      return { kind: "unstorable", reason: `${displayPath(path)} appeared while the command ran` };
    }
    if (input.kind === "meta") {
      return recordMeta(input, {
        touched,
        limit: this.#limit(),
        prior: (p) => this.#priorStamp(p),
      });
    }
    const settled = this.#settled.get(path);
    if (settled !== undefined) {
      return this.#recordFile(input, { touched, changedByRun, fp: settled });
    }
    const early = this.#earlyOf(path);
    if (early === undefined) {
      return this.#recordFile(input, { touched, changedByRun, fp: undefined });
    }
    return early.then((fp) => this.#recordFile(input, { touched, changedByRun, fp }));
  }

  /** A file, exec or listing input, given its early fingerprint (if one was taken). */
  #recordFile(
    input: Exclude<ObservedInput, { kind: "absent" | "meta" }>,
    at: { touched: Touched; changedByRun: boolean; fp: Fingerprint | undefined },
  ): RecordOne | Promise<RecordOne> {
    const { path } = input;
    const { changedByRun } = at;
    let fp = at.fp;
    if (input.priorUnknown && changedByRun && fp?.kind === "created-during-run") {
      // Written without truncation, and born after the run started: the run created it,
      // so before the run it was absent (and must be absent for a replay to be right).
      return { kind: "ok", input: { path, kind: "absent", digest: "" } };
    }
    const ancestor = touchedAncestor(path, at.touched);
    if (ancestor !== null) {
      // The run created, replaced or removed a directory or symlink on the way to this
      // path, so the path may now name another object (a re-pointed link), and a
      // fingerprint taken during or after the run may describe that one. Only one taken
      // before the run started says what the run read.
      const pre = this.#prefetched.has(path) ? fp : undefined;
      if (pre?.kind !== "ok") return underChanged(path, ancestor);
      return {
        kind: "ok",
        input: recordedFrom(path, input.kind, { fp: pre, startedAt: this.#options.startedAt }),
      };
    }
    if (fp === undefined || fp.kind !== "ok") {
      if (changedByRun) {
        return {
          kind: "unstorable",
          reason: `could not fingerprint ${displayPath(path)} before the run changed it`,
        };
      }
      return fingerprint(path, this.#options).then((now) =>
        this.#verdict(input, { fp: now, changedByRun })
      );
    }
    if (!changedByRun) {
      // The early fingerprint holds only if the object is still the same one now.
      const now = at.touched.stats.get(path, { lstat: false });
      if (now === null || !sameStamp(now, fp.stamp)) fp = { kind: "changed-during-run" };
    }
    return this.#verdict(input, { fp, changedByRun });
  }

  #verdict(
    input: Exclude<ObservedInput, { kind: "absent" | "meta" }>,
    { fp, changedByRun }: { fp: Fingerprint; changedByRun: boolean },
  ): RecordOne {
    const { path } = input;
    switch (fp.kind) {
      case "ok":
        return {
          kind: "ok",
          input: recordedFrom(path, input.kind, { fp, startedAt: this.#options.startedAt }),
        };
      case "missing":
        // Read, then gone: if the run removed it we cannot know what it held.
        if (changedByRun) {
          return { kind: "unstorable", reason: `${displayPath(path)} vanished during the run` };
        }
        return absentNow(path);
      case "changed-during-run":
      case "created-during-run":
        return {
          kind: "unstorable",
          reason: `input ${displayPath(path)} changed while the command ran`,
        };
      case "unreadable":
        return {
          kind: "unstorable",
          reason: `cannot read input ${displayPath(path)}: ${fp.reason}`,
        };
    }
  }
}

/** A path read, then found missing, not changed by the run: absent, for the reason it is now. */
function absentNow(path: BytePath): RecordOne {
  let errno;
  try {
    errno = missingErrno(fsPath(path));
  } catch (e) {
    return {
      kind: "unstorable",
      reason: `cannot stat input ${displayPath(path)}: ${(e as Error).message}`,
    };
  }
  if (errno === null) {
    return {
      kind: "unstorable",
      reason: `input ${displayPath(path)} changed while the command ran`,
    };
  }
  return { kind: "ok", input: { path, kind: "absent", digest: absentDigest(errno) } };
}

/**
 * The recorded input for a vouched-for fingerprint. It keeps the stat fingerprint too when
 * the object had not changed for {@link RACY_MS} before the run started (the racy rule, as
 * for the memo): any later change then moves the fingerprint, so a hit may trust it.
 */
function recordedFrom(
  path: BytePath,
  observed: ObservedInput["kind"],
  { fp, startedAt }: { fp: Extract<Fingerprint, { kind: "ok" }>; startedAt: number },
): RecordedInput {
  const kind = fp.stamp.isDir ? "listing" : observed === "exec" ? "exec" : "file";
  const { stat, changedMs } = stampFingerprint(fp.stamp);
  if (changedMs > startedAt - RACY_MS) return { path, kind, digest: fp.digest };
  return { path, kind, digest: fp.digest, stat };
}
