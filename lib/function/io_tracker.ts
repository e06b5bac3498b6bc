/**
 * In-process I/O tracking for the function face (best effort, see `mod.ts` for what it
 * cannot see). `runTracked(fn)` runs `fn` in its own `AsyncLocalStorage` store, so
 * overlapping async calls never mix: every file operation and every byte printed is
 * attributed to the call whose async context performed it.
 *
 * Hooks are installed once, on first use (`installTracking()`, idempotent) and can be
 * removed (`uninstallTracking()`, for tests). With no tracked call active each hook costs
 * one `getStore()` check. casher's own I/O is not recorded: it uses named `node:fs`
 * imports (which the hooks cannot reach) and runs outside any tracked store; code that
 * must run inside one without being recorded uses `untracked(fn)`.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { readlinkSync, statSync } from "node:fs";
import { posix } from "node:path";
import { type Chunk, ChunkRecorder } from "../capture/chunk_log.ts";
import { type BytePath, bytePathFromBytes, fsPath, resolveBytePath } from "../path/byte_path.ts";
import type { Effects } from "../trace/effects.ts";
import { installRuntimeHooks, type RuntimeRecorder } from "../runtime/fs_hooks.ts";
import { AccessLog } from "./_access_log.ts";
import { pathArg } from "./_path_arg.ts";
import { installNodeFsHooks } from "./node_fs_hooks.ts";
import { inCapturedWrite, installStdioHooks } from "./stdio_capture.ts";

/** How the tracked function ended. Errors are passed through unchanged, never cached. */
export type TrackedOutcome<T> =
  | { readonly kind: "value"; readonly value: T }
  | { readonly kind: "error"; readonly error: unknown };

/** Everything recorded during one tracked call. */
export interface TrackedRun<T> {
  readonly outcome: TrackedOutcome<T>;
  /** Inputs (first-access order), outputs, deletions; `untrusted` = do not store. */
  readonly effects: Effects;
  /** stdout/stderr in the order printed. */
  readonly chunks: Chunk[];
  /** Wall time of the call in ms. */
  readonly durationMs: number;
}

/** One call's recorder. Closed when the call settles; late activity is ignored. */
class Tracker implements RuntimeRecorder {
  readonly log = new AccessLog();
  readonly out = new ChunkRecorder();
  open = true;
  /** Every path accessed so far (any access), to spot first reads. */
  readonly #touched = new Set<BytePath>();

  constructor(readonly onFirstRead: ((path: BytePath) => void) | undefined) {}

  fs(
    access: Parameters<RuntimeRecorder["fs"]>[0],
    raw: unknown,
    opts: Parameters<RuntimeRecorder["fs"]>[2],
  ): void {
    const { outcome } = opts;
    if (!this.open) return;
    try {
      const p = pathArg(raw);
      if (p !== undefined) this.#note(access, p, { outcome, mode: opts.mode, hops: 0 });
    } catch (e) {
      this.log.untrust(`a file operation could not be recorded (${String(e)})`);
    }
  }

  #note(
    access: Parameters<RuntimeRecorder["fs"]>[0],
    p: BytePath,
    opts: {
      readonly outcome: Parameters<RuntimeRecorder["fs"]>[2]["outcome"];
      readonly mode?: number;
      hops: number;
    },
  ): void {
    const { outcome } = opts;
    if (this.onFirstRead !== undefined && !this.#touched.has(p)) {
      this.#touched.add(p);
      if ((access === "read" || access === "list") && outcome === "ok") {
        // Synchronous here: the stat of the fingerprint happens before the call goes on.
        const notify = this.onFirstRead;
        untracked(() => notify(p));
      }
    }
    this.log.note(access, p, { outcome, mode: opts.mode });
    // Reading through a link the call made itself reads its target, which nothing else
    // records: the link is an output, not an input. Chains of such links are followed.
    if ((access === "read" || access === "list") && this.log.createdSymlink(p)) {
      if (opts.hops >= MAX_LINK_HOPS) {
        return this.log.untrust(`too many levels of symlinks the call created at ${p}`);
      }
      // Not recorded itself (Deno's node:fs reads links through the hooked Deno API).
      const target = this.nested(() => linkTarget(p));
      if (target === undefined) {
        return this.log.untrust(`the symlink ${p} the call created could not be read back`);
      }
      this.#note(access, target, { outcome, hops: opts.hops + 1 });
    }
  }

  output(fd: 1 | 2, bytes: Uint8Array): void {
    if (this.open && !inCapturedWrite()) this.out.push(fd, bytes);
  }

  untrusted(reason: string): void {
    if (this.open) this.log.untrust(reason);
  }

  nested<T>(f: () => T): T {
    nesting.depth++;
    try {
      return f();
    } finally {
      nesting.depth--;
    }
  }
}

/** Like the kernel's limit on symlink hops in one path resolution. */
const MAX_LINK_HOPS = 40;

/** The target of the symlink at `link`, resolved against the link's directory. */
function linkTarget(link: BytePath): BytePath | undefined {
  let target: Buffer;
  try {
    target = readlinkSync(fsPath(link), { encoding: "buffer" });
  } catch {
    return undefined;
  }
  return resolveBytePath(posix.dirname(link), bytePathFromBytes(target));
}

const als = new AsyncLocalStorage<Tracker>();
/** Depth of wrapped file calls running synchronously; inner ones are not recorded. */
const nesting = { depth: 0 };
const active = (): Tracker | undefined => (nesting.depth === 0 ? als.getStore() : undefined);

/** Installed hooks' removers; empty when not installed. Owned here so tests can reset it. */
const installed: { undo: (() => void)[] } = { undo: [] };

/**
 * Installs the file and stdio hooks (idempotent).
 *
 * @example
 * ```ts
 * import { installTracking, uninstallTracking } from "./io_tracker.ts";
 * installTracking();
 * uninstallTracking();
 * ```
 */
export function installTracking(): void {
  if (installed.undo.length > 0) return;
  const exists = (raw: unknown) => {
    try {
      statSync(raw as string);
      return true;
    } catch {
      return false;
    }
  };
  installed.undo.push(
    installNodeFsHooks({ active, exists }),
    installRuntimeHooks(active),
    installStdioHooks(active),
  );
}

/**
 * Removes every hook `installTracking()` put in place (hooks replaced by others since are left).
 *
 * @example
 * ```ts
 * import { uninstallTracking } from "./io_tracker.ts";
 * uninstallTracking();
 * ```
 */
export function uninstallTracking(): void {
  for (const undo of installed.undo.reverse()) undo();
  installed.undo = [];
}

/** Options of {@link runTracked}. */
export interface RunTrackedOptions {
  /**
   * Called (outside tracking, synchronously inside the hook, right after the operation
   * returned and before the call continues) the first time the call reads a file or lists
   * a directory that exists, so its pre-call content can be fingerprinted before the call
   * may overwrite it (the engine's `ExecContext.onFirstRead`).
   */
  readonly onFirstRead?: (path: BytePath) => void;
}

/**
 * Runs `fn` with its file I/O and output recorded. Installs the hooks on first use.
 * Never throws for `fn`'s sake: its error is returned as `outcome.kind === "error"`.
 *
 * @example
 * ```ts
 * import { runTracked } from "./io_tracker.ts";
 * import fs from "node:fs";
 * const run = await runTracked(() => fs.readFileSync("/etc/hostname", "utf8"));
 * run.effects.inputs; // [{ path: "/etc/hostname", kind: "file" }]
 * ```
 */
export async function runTracked<T>(
  fn: () => T | Promise<T>,
  options: RunTrackedOptions = {},
): Promise<TrackedRun<T>> {
  installTracking();
  const tracker = new Tracker(options.onFirstRead);
  const t0 = performance.now();
  let outcome: TrackedOutcome<T>;
  try {
    outcome = { kind: "value", value: await als.run(tracker, fn) };
  } catch (error) {
    outcome = { kind: "error", error };
  } finally {
    tracker.open = false;
  }
  const durationMs = performance.now() - t0;
  return { outcome, effects: tracker.log.finish(), chunks: tracker.out.chunks(), durationMs };
}

/**
 * Runs `fn` outside any tracked call (for casher's own work done inside a tracked call,
 * such as a nested cached call's lookup).
 *
 * @example
 * ```ts
 * import { untracked } from "./io_tracker.ts";
 * untracked(() => 1 + 1); // 2
 * ```
 */
export function untracked<T>(fn: () => T): T {
  return als.exit(fn);
}

/**
 * Whether a tracked call is active in this async context.
 *
 * @example
 * ```ts
 * import { isTracking } from "./io_tracker.ts";
 * isTracking(); // false
 * ```
 */
export function isTracking(): boolean {
  return active()?.open === true;
}

/**
 * Adds effects and output of a nested cached call that was replayed (not run) to the
 * enclosing tracked call, so the outer entry depends on what the inner one read.
 * Does nothing outside a tracked call.
 *
 * @example
 * ```ts
 * import { recordNested } from "./io_tracker.ts";
 * recordNested({ trust: { kind: "trusted" }, inputs: [], outputs: [], deletions: [] }, []);
 * ```
 */
export function recordNested(effects: Effects, chunks: readonly Chunk[]): void {
  const t = active();
  if (t === undefined || !t.open) return;
  if (effects.trust.kind === "untrusted") t.log.untrust(effects.trust.reason);
  for (const i of effects.inputs) {
    t.log.note(i.kind === "listing" ? "list" : "read", i.path, {
      outcome: i.kind === "absent" ? "absent" : "ok",
    });
  }
  for (const o of effects.outputs) {
    t.log.note(o.kind === "dir" ? "mkdir" : o.kind === "symlink" ? "symlink" : "write", o.path, {
      outcome: "ok",
    });
  }
  for (const d of effects.deletions) t.log.note("remove", d, { outcome: "ok" });
  for (const c of chunks) t.out.push(c.fd, c.bytes);
}
