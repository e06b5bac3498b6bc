/**
 * The contract between the engine (lookup, single-flight, execute, record, store,
 * replay) and the two faces that drive it (the command CLI and `cached()`).
 *
 * @module
 */
import type { Chunk } from "../capture/chunk_log.ts";
import type { ReplayOutcome } from "../capture/replay.ts";
import type { ContentSnapshot } from "./fingerprint.ts";
import type { BytePath } from "../path/byte_path.ts";
import type { Entry, InputMismatch, RecordedResult } from "../store/types.ts";
import type { Effects } from "../trace/effects.ts";

/** Which recorded outputs a hit writes back. */
export type ReplayOutputs = "always" | "if-missing" | "never";

/** What the engine gives the face's `execute` while the work runs. */
export interface ExecContext {
  /** Wall-clock ms when execution started; inputs changed after it are not trusted. */
  readonly startedAt: number;
  /**
   * Call as soon as a path is first read, so its pre-run content can be fingerprinted;
   * an in-process face passes the content it read synchronously (`snapshotFile`).
   */
  readonly onFirstRead: (path: BytePath, snapshot?: ContentSnapshot | null) => void;
}

/** How the work ended. `exit` and `value` may be stored; the others never are. */
export type WorkResult =
  | {
    readonly kind: "exit";
    readonly code: number;
    /** Bytes the command moved its stdin file's shared offset (stored with the result). */
    readonly stdinAdvance?: number;
  }
  | { readonly kind: "value"; readonly bytes: Uint8Array }
  | { readonly kind: "signaled"; readonly code: number; readonly signal: string }
  | { readonly kind: "thrown"; readonly error: unknown };

/** What one execution produced. */
export interface Execution {
  readonly result: WorkResult;
  /** Recorded stdout/stderr, in order (already shown live by the face). */
  readonly chunks: readonly Chunk[];
  /** Observed effects, including the tracer's trust verdict. */
  readonly effects: Effects;
  /** The face's own veto (e.g. non-zero exit without `--cache-failures`). */
  readonly storable: { readonly kind: "yes" } | { readonly kind: "no"; readonly reason: string };
  /**
   * The key to store under when the run itself changed how the work is keyed (the
   * function face learns that an argument path is an output, which is then keyed by path
   * instead of content). Absent: the work's own key.
   */
  readonly rekey?: { readonly key: string; readonly keyMaterial: string };
}

/** A unit of cacheable work, as declared by a face. */
export interface Work {
  /** Hex digest of `keyMaterial`. */
  readonly key: string;
  /** Canonical key material, repeated in the entry so a hash collision is a miss. */
  readonly keyMaterial: string;
  /** Human label (command line or function name). */
  readonly label: string;
  /** Paths the caller declared as inputs: fingerprinted before the run. */
  readonly declaredInputs: readonly BytePath[];
  /**
   * Paths that are likely inputs (e.g. named on the command line): fingerprinted before the
   * work starts. Recorded only if the run actually reads them. Asked for only on a miss.
   */
  readonly prefetch?: () => readonly BytePath[];
  /** Paths always captured as outputs after the run, when they exist. */
  readonly declaredOutputs: readonly BytePath[];
  /** Runs the work (showing output live) and reports what happened. */
  readonly execute: (ctx: ExecContext) => Promise<Execution>;
  /**
   * On a hit, called with the recorded result once the outputs are restored, right before
   * the streams are replayed: the face re-applies what only it knows how to (the command
   * face moves stdin's offset as the command did).
   */
  readonly beforeStreams?: (recorded: RecordedResult) => void;
}

/** Per-call policy the engine applies. */
export interface RunPolicy {
  readonly replayOutputs: ReplayOutputs;
  /** Skip lookup and run (the new result replaces an equal candidate). */
  readonly force: boolean;
  /** Serve hits but never write a new entry. */
  readonly store: boolean;
  /** Entry lifetime in ms, or `null` for no expiry. */
  readonly ttlMs: number | null;
}

/** Why a lookup did not hit. */
export type MissReason =
  | { readonly kind: "absent" }
  | { readonly kind: "input-changed"; readonly entry: Entry; readonly mismatch: InputMismatch }
  | { readonly kind: "corrupt"; readonly detail: string }
  /** An output's path holds what the recorded run did not find there (a symlink, a directory). */
  | { readonly kind: "output-conflict"; readonly detail: string }
  | { readonly kind: "forced" };

/** The engine's answer for one call. */
export type Outcome =
  | {
    readonly kind: "hit";
    readonly entry: Entry;
    /** The recorded result: exit code, or the value's bytes for the face to decode. */
    readonly result: { readonly kind: "exit"; readonly code: number } | {
      readonly kind: "value";
      readonly bytes: Uint8Array;
    };
    /** `reader-gone`: the replay stopped at an EPIPE (the command would have got SIGPIPE). */
    readonly streams: ReplayOutcome;
  }
  | {
    readonly kind: "miss";
    readonly reason: MissReason;
    readonly result: WorkResult;
    readonly stored: { readonly kind: "stored"; readonly bytes: number } | {
      readonly kind: "not-stored";
      readonly reason: string;
    };
    readonly durationMs: number;
  };

/**
 * Reports a slow store (the CLI draws a progress bar on a TTY). A fresh reporter is made
 * for each store; `end` is always called.
 */
export interface StoreProgress {
  update(doneBytes: number, totalBytes: number): void;
  end(): void;
}
