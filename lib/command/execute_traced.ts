/**
 * Runs a command under the tracer with live, recorded stdout/stderr, and reports the
 * engine's {@link Execution}.
 *
 * @module
 */
import type { ReplayTarget } from "../capture/replay.ts";
import type { ExecContext, Execution, WorkResult } from "../engine/types.ts";
import type { BytePath } from "../path/byte_path.ts";
import { logger } from "../log/logger.ts";
import { probeTracer, type TracerProbe } from "../trace/probe.ts";
import { CasherError } from "../errors/casher_error.ts";
import { startTrace } from "../trace/runner.ts";
import { forwardSignals } from "./forward_signals.ts";
import { signalStreamHolders } from "./pipe_writers.ts";
import { type KeyedStdin, plainStdin, stdinOffset } from "./stdin.ts";
import { teeStreams } from "./tee.ts";
import { movedFiles } from "./passed_fds.ts";
import { fdPosition, type InheritedFd } from "../runtime/mod.ts";

const log = logger("command");

/** How to run the command. */
export interface TracedCommand {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly stdin: KeyedStdin;
  readonly outputRoots: readonly BytePath[];
  readonly exclude: readonly BytePath[];
  readonly traceMode: "full" | "fast";
  /** casher's stdout and stderr are one file: the command gets one pipe for both. */
  readonly mergeStderr: boolean;
  readonly cacheFailures: boolean;
  readonly target?: ReplayTarget;
  /** Where a successful tracer probe is remembered across runs. */
  readonly probeFile?: string;
  /** Inherited descriptors above 2 the command gets (see `passed_fds.ts`). */
  readonly fds: readonly InheritedFd[];
}

/** The tracer probe; an unexpected failure of the probe itself means: run untraced. */
function probeOrExplain(persist: string | undefined): TracerProbe {
  try {
    return probeTracer({ persist });
  } catch (e) {
    const why = `cannot probe strace: ${(e as Error).message}`;
    return { kind: "unavailable", error: new CasherError("internal", why) };
  }
}

/**
 * Executes `cmd` under strace; resolves once the process tree exited and the trace is parsed.
 *
 * @example
 * ```ts ignore
 * const exec = await executeTraced(cmd, ctx);
 * ```
 */
export async function executeTraced(cmd: TracedCommand, ctx: ExecContext): Promise<Execution> {
  // Probed only here, on a miss: a hit never pays for starting strace.
  const tracer = probeOrExplain(cmd.probeFile);
  if (tracer.kind === "unavailable") {
    log.warn("{message}; running the command uncached", { message: tracer.error.message });
    // Loaded only here: it brings `node:child_process`, which a traced run does not need.
    const { runPlain } = await import("./run_plain.ts");
    const code = await runPlain(cmd.argv, {
      cwd: cmd.cwd,
      env: cmd.env,
      stdin: plainStdin(cmd.stdin),
      extraFds: cmd.fds.map((f) => f.fd),
    });
    return {
      result: { kind: "exit", code },
      chunks: [],
      effects: {
        trust: { kind: "untrusted", reason: tracer.error.message },
        inputs: [],
        outputs: [],
        deletions: [],
      },
      storable: { kind: "no", reason: "the command could not be traced" },
    };
  }
  const run = startTrace(cmd.argv, {
    cwd: cmd.cwd,
    env: cmd.env,
    // A stdin casher spooled reaches the command through a pipe again, as without casher.
    stdin: cmd.stdin.kind === "data" ? { feed: cmd.stdin.spool } : "inherit",
    mergeStderr: cmd.mergeStderr,
    extraFds: cmd.fds.map((f) => f.fd),
    outputRoots: cmd.outputRoots,
    exclude: cmd.exclude,
    mode: cmd.traceMode,
    onFirstRead: ctx.onFirstRead,
  });
  const { child } = run;
  const tracerPid = child.pid;
  const recorded = teeStreams({ stdout: child.stdout, stderr: child.stderr }, {
    target: cmd.target,
    // The SIGPIPE the kernel would have sent the command's writers, had casher not been
    // the reader of their pipe.
    onReaderGone: (fd) => {
      if (tracerPid !== undefined) signalStreamHolders(tracerPid, fd, { signal: "SIGPIPE" });
    },
  });
  const stopForwarding = child.pid === undefined ? () => {} : forwardSignals(child.pid);
  let done;
  try {
    done = await Promise.all([run.done, recorded]);
  } finally {
    stopForwarding();
  }
  const [{ exit, effects }, tee] = done;
  let result: WorkResult;
  switch (exit.kind) {
    case "exited": {
      // How far the command moved a stdin file's shared offset: a hit moves it as far.
      const advance = cmd.stdin.kind === "file" ? stdinOffset() - cmd.stdin.offset : 0;
      if (advance < 0) {
        return {
          result: { kind: "exit", code: exit.code },
          chunks: [],
          effects,
          storable: { kind: "no", reason: "the command moved its stdin file's offset backwards" },
        };
      }
      result = advance > 0
        ? { kind: "exit", code: exit.code, stdinAdvance: advance }
        : { kind: "exit", code: exit.code };
      break;
    }
    case "signaled":
      result = { kind: "signaled", code: exit.code, signal: exit.signal };
      break;
    case "not-found":
    case "not-executable":
      return {
        result: { kind: "exit", code: exit.code },
        chunks: [],
        effects,
        storable: { kind: "no", reason: `the command was ${exit.kind}` },
      };
  }
  if (tee.kind === "reader-gone") {
    return {
      result,
      chunks: [],
      effects,
      storable: {
        kind: "no",
        reason: `the reader of ${tee.fd === 1 ? "stdout" : "stderr"} went away (EPIPE)`,
      },
    };
  }
  const moved = movedFiles(cmd.fds, { position: fdPosition });
  if (moved.length > 0) {
    return { result, chunks: [], effects, storable: { kind: "no", reason: moved[0] } };
  }
  const failed = result.kind === "exit" && result.code !== 0 && !cmd.cacheFailures;
  const code = result.kind === "exit" ? result.code : 0;
  return {
    result,
    chunks: tee.recorder.chunks(),
    effects,
    storable: failed
      ? { kind: "no", reason: `exit code ${code} (use --cache-failures to cache it)` }
      : { kind: "yes" },
  };
}
