/**
 * Runs a command under strace and classifies its effects while it runs. The
 * command keeps its own stdin, env and cwd; its stdout/stderr are the returned
 * child's pipes. The trace goes through a private FIFO and is parsed as a
 * stream, so memory stays bounded however many syscalls the command makes.
 *
 * argv[0] without a slash is resolved against the command's own PATH here (not
 * by strace, outside the trace): missing earlier candidates become `absent`
 * inputs, the found file an `exec` input, and strace gets the absolute path
 * (so the command sees that absolute path as its argv[0]). A script without `#!` is
 * given to `/bin/sh`, as `execvp` does (see `shell_fallback.ts`).
 *
 * @module
 */
import { constants as osConstants } from "node:os";
import { CasherError } from "../errors/casher_error.ts";
import { type ChildExit, type ChildStdin, type PipedChild, spawnPiped } from "../runtime/mod.ts";
import { type BytePath, bytePath, displayPath } from "../path/byte_path.ts";
import type { Effects } from "./effects.ts";
import { createTraceFifo } from "./fifo.ts";
import { FifoPoller } from "./fifo_poller.ts";
import { LineSplitter } from "./line_splitter.ts";
import { lookupCommand } from "./path_lookup.ts";
import { probeTracer } from "./probe.ts";
import { shellFor } from "./shell_fallback.ts";
import { ignoredAtStart, keepIgnored } from "./ignored_signals.ts";
import { MODE_GROUPS, straceArgs, type SyscallGroup } from "./syscall_set.ts";
import { TraceModel } from "./trace_model.ts";

/** Options of {@link startTrace}. */
export interface TraceOptions {
  cwd: string;
  /** Exactly the env the command would get. */
  env: Record<string, string>;
  stdin: ChildStdin;
  /** Writes are outputs only under these roots; others are ignored (debug log). Default ["/"]. */
  outputRoots: readonly BytePath[];
  /** Never inputs/outputs: the cache dir, casher temp dirs (added to /proc, /sys, /dev). */
  exclude: readonly BytePath[];
  /** "full" (sound default) or "fast" (see syscall_set.ts for what it misses). */
  mode: "full" | "fast";
  /**
   * Called synchronously while the child runs, the first time a path is seen being
   * read (opened for reading, exec'd, listed, stat'ed as a regular file) or opened
   * for a write that keeps old bytes. The path may be a directory. Writes happen
   * before the trace line is parsed, so the engine must treat a fingerprint whose
   * ctime is not older than the run's start as "changed during the run".
   */
  onFirstRead?: (path: BytePath) => void;
  /** One pipe for the command's stdout and stderr (see `SpawnOptions.mergeStderr`). */
  mergeStderr?: boolean;
  /** Inherited descriptors above 2 the command gets (see `SpawnOptions.extraFds`). */
  extraFds?: readonly number[];
  /** For measurement only: trace exactly these groups instead of the mode's. */
  groups?: readonly SyscallGroup[];
}

/** How the command ended. */
export type ExitStatus =
  | { kind: "exited"; code: number }
  | { kind: "signaled"; signal: string; code: number }
  | { kind: "not-found"; code: 127 }
  | { kind: "not-executable"; code: 126 };

/** A running traced command. */
export interface TracedRun {
  /** The strace process (or a stand-in for not-found); stdout/stderr are pipes, stdin per options. */
  readonly child: PipedChild;
  /** Resolves after the process tree exits and the trace is fully parsed. */
  readonly done: Promise<{ exit: ExitStatus; effects: Effects; syscalls: number }>;
}

function exitOf({ code, signal }: ChildExit): ExitStatus {
  if (signal !== null) {
    const n = (osConstants.signals as Record<string, number>)[signal] ?? 0;
    return { kind: "signaled", signal, code: 128 + n };
  }
  return { kind: "exited", code: code ?? 1 };
}

/**
 * Starts `argv` under strace. Call {@link probeTracer} first; this throws its error
 * when tracing is unavailable.
 *
 * @example
 * ```ts
 * import { startTrace } from "./runner.ts";
 * const run = startTrace(["cat", "a.txt"], { cwd: "/tmp", env: { PATH: "/usr/bin:/bin" }, stdin: "null", outputRoots: ["/"], exclude: [], mode: "full" });
 * void run.child.stdout.forEach((chunk) => process.stdout.write(chunk));
 * const { exit, effects } = await run.done;
 * ```
 */
export function startTrace(argv: readonly string[], opts: TraceOptions): TracedRun {
  if (argv.length === 0) throw new TypeError("startTrace: argv must name a command");
  const probe = probeTracer();
  if (probe.kind === "unavailable") throw probe.error;
  const cwd = bytePath(opts.cwd);
  const lookup = lookupCommand(bytePath(argv[0]), { cwd, env: opts.env });
  if (lookup.kind !== "found") {
    const model = new TraceModel({ cwd, outputRoots: opts.outputRoots, exclude: opts.exclude });
    for (const a of lookup.absent) {
      model.preInput(a, "absent", { errno: lookup.notDir.includes(a) ? "ENOTDIR" : "ENOENT" });
    }
    const notFound = lookup.kind === "not-found";
    const msg = notFound ? "command not found" : "Permission denied";
    const child = spawnPiped([
      "/bin/sh",
      "-c",
      `printf 'casher: %s: ${msg}\\n' "$0" >&2; exit ${notFound ? 127 : 126}`,
      argv[0],
    ], { cwd: opts.cwd, env: opts.env, stdin: opts.stdin });
    const done = child.exited.then(() => ({
      exit: notFound
        ? { kind: "not-found" as const, code: 127 as const }
        : { kind: "not-executable" as const, code: 126 as const },
      effects: model.finish("", { expectTrace: false }).effects,
      syscalls: 0,
    }));
    return { child, done };
  }
  const fifo = createTraceFifo();
  const model = new TraceModel({
    cwd,
    outputRoots: opts.outputRoots,
    exclude: [...opts.exclude, fifo.dir],
    onFirstRead: opts.onFirstRead,
  });
  for (const a of lookup.absent) {
    model.preInput(a, "absent", { errno: lookup.notDir.includes(a) ? "ENOTDIR" : "ENOENT" });
  }
  const groups = opts.groups ?? MODE_GROUPS[opts.mode];
  // strace execs the file itself: a script without #! gets execvp's /bin/sh fallback.
  const shell = shellFor(lookup.path);
  // A bare name goes to strace as typed: strace finds it along the same PATH (casher's own
  // lookup above recorded the probes) and keeps it as argv[0], which the program sees
  // (`sh: 1: ...` in messages, not `/usr/bin/sh: 1: ...`). strace 6.1 has no --argv0.
  const program = shell.length === 0 && !argv[0].includes("/") ? argv[0] : displayPath(lookup.path);
  const args = [
    ...straceArgs(fifo.path, { groups, seccompBpf: probe.seccompBpf }),
    "--",
    ...shell,
    program,
    ...argv.slice(1),
  ];
  const child = spawnPiped(keepIgnored([probe.strace, ...args], ignoredAtStart()), {
    cwd: opts.cwd,
    env: opts.env,
    stdin: opts.stdin,
    pipeDir: fifo.path.slice(0, fifo.path.lastIndexOf("/")),
    mergeStderr: opts.mergeStderr,
    extraFds: opts.extraFds,
  });
  // After the spawn, so the fingerprint `onFirstRead` starts for the program overlaps
  // strace's start-up; still before any trace line is parsed (that happens in the poller's
  // callbacks, after this function returns), so the model sees the exec first as before.
  model.preInput(lookup.path, "exec");
  const splitter = new LineSplitter();
  const poller = new FifoPoller(fifo.path, {
    onData: (chunk) => splitter.push(chunk, (l) => model.line(l)),
  });
  const traced = poller.done.then(
    () => splitter.end(),
    (e) => {
      model.untrust(`reading the trace failed: ${String(e)}`);
      return "";
    },
  );
  const exited = child.exited.finally(() => poller.writerGone());
  const done = Promise.all([exited, traced]).then(
    ([st, tail]) => {
      fifo.remove();
      const summary = model.finish(tail);
      return {
        exit: exitOf(st),
        effects: summary.effects,
        syscalls: summary.syscalls,
      };
    },
    (e) => {
      fifo.remove();
      throw new CasherError(
        "trace-failed",
        `Cannot trace command: starting ${probe.strace} failed: ${
          String(e)
        }: check the strace install`,
        { cause: e },
      );
    },
  );
  return { child, done };
}
