/**
 * The command face: `casher -- <cmd>`. Builds the key material, asks the engine for a hit
 * or a traced run, and returns the exit code to pass through. casher's own failures fall
 * back to running the command plainly, so its output and exit code never change.
 *
 * The tracer and the plain runner (child processes, streams) are imported only when a run
 * needs them: a hit spawns nothing and loads neither.
 *
 * @module
 */
import { join } from "node:path";
import type { ReplayTarget } from "../capture/replay.ts";
import { CasherError } from "../errors/casher_error.ts";
import { runWork } from "../engine/run_work.ts";
import type { ReplayOutputs, StoreProgress } from "../engine/types.ts";
import { logger } from "../log/logger.ts";
import { bytePath } from "../path/byte_path.ts";
import { openStore, type Store } from "../store/store.ts";
import { closeInherited, type InheritedFd, inheritedFds } from "../runtime/mod.ts";
import { argvPaths } from "./argv_paths.ts";
import { planFds } from "./passed_fds.ts";
import { type CommandIdentity, commandKey } from "./command_key.ts";
import type { PlainRunOptions } from "./run_plain.ts";
import {
  advanceStdin,
  captureStdin,
  type KeyedStdin,
  plainStdin,
  releaseStdin,
  STDIN_SPOOL_LIMIT,
  type StdinSource,
} from "./stdin.ts";

const log = logger("command");

/** The exit code of a command killed by SIGPIPE (128 + 13, the signal's number on Linux). */
const EXIT_SIGPIPE = 128 + 13;

/** Everything `casher -- <cmd>` was asked to do, already validated. */
export interface CommandOptions extends CommandIdentity {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly cacheDir: string;
  readonly maxCacheBytes: number;
  readonly maxCandidates: number;
  readonly lockTimeoutMs: number;
  readonly envAllow: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly outputRoots: readonly string[];
  readonly ttlMs: number | null;
  readonly force: boolean;
  readonly store: boolean;
  readonly cacheFailures: boolean;
  readonly replayOutputs: ReplayOutputs;
  readonly traceMode: "full" | "fast";
  readonly target?: ReplayTarget;
  /** Store progress reporting (the CLI passes a TTY bar). */
  readonly progress?: () => StoreProgress;
}

/**
 * Runs a command through the cache and resolves with its exit code.
 *
 * @example
 * ```ts ignore
 * const code = await runCommand({ argv: ["make"], cwd: process.cwd(), ...options });
 * process.exit(code);
 * ```
 */
export async function runCommand(options: CommandOptions): Promise<number> {
  const fds = planFds(inheritedFds(), { argv: options.argv, env: options.env });
  for (const f of fds.block) {
    log.info(
      "not passing inherited fd {fd} ({link}) to the command: casher cannot see what goes " +
        "through a pipe or socket it did not open",
      { fd: f.fd, link: f.link },
    );
    closeInherited(f.fd);
  }
  const opts = { ...options, passed: fds.pass, extraFds: fds.pass.map((f) => f.fd) };
  if (fds.uncacheable !== null) {
    log.info("{reason}", { reason: fds.uncacheable });
    return runPlain(opts.argv, opts);
  }
  let store: Store;
  try {
    store = openStore(opts.cacheDir, {
      maxCacheBytes: opts.maxCacheBytes,
      maxCandidates: opts.maxCandidates,
    });
  } catch (e) {
    if (!(e instanceof CasherError)) throw e;
    log.warn("{message}", { message: e.message });
    return runPlain(opts.argv, opts);
  }
  const state = { started: false };
  let stdin: StdinSource = { kind: "none" };
  try {
    stdin = await captureStdin({ tmpDir: store.layout.tmpDir });
    switch (stdin.kind) {
      case "tty":
        log.warn(
          "stdin is a terminal, so the command may be interactive: running it uncached " +
            "(give it stdin from a file or pipe, e.g. `< /dev/null`, to cache it)",
        );
        return await runPlain(opts.argv, opts);
      case "unbounded":
        log.info(
          "stdin goes on past {limit} bytes, too long to be part of the key: running the " +
            "command uncached",
          { limit: STDIN_SPOOL_LIMIT },
        );
        return await runPlain(opts.argv, { ...opts, stdin: plainStdin(stdin) });
    }
    return await runThroughCache(store, { ...opts, stdin }, { state });
  } catch (e) {
    if (state.started) throw e;
    // casher failed before the command ran: run it plainly so its behaviour is unchanged.
    log.warn("caching failed ({message}); running the command uncached", {
      message: (e as Error).message,
    });
    return runPlain(opts.argv, { ...opts, stdin: plainStdin(stdin) });
  } finally {
    releaseStdin(stdin);
    // Not closed: closing the last connection checkpoints the WAL (an fsync) on every
    // call, which the hit path cannot afford; the process exits right after, committed
    // transactions are already in the WAL, and later writers checkpoint it.
  }
}

async function runThroughCache(
  store: Store,
  opts: CommandOptions & {
    stdin: KeyedStdin;
    passed: readonly InheritedFd[];
    extraFds: readonly number[];
  },
  { state }: { readonly state: { started: boolean } },
): Promise<number> {
  const { stdin } = opts;
  const id = commandKey(opts, stdin);
  const outcome = await runWork({
    key: id.key,
    keyMaterial: id.keyMaterial,
    label: id.label,
    declaredInputs: id.inputs,
    declaredOutputs: id.outputs,
    prefetch: () => argvPaths(opts.argv, { cwd: opts.cwd }),
    // The command took that many bytes of its stdin file: so does the replay.
    beforeStreams: (recorded) => {
      if (recorded.kind === "exit" && recorded.stdinAdvance) advanceStdin(recorded.stdinAdvance);
    },
    execute: async (ctx) => {
      state.started = true;
      const { executeTraced } = await import("./execute_traced.ts");
      return executeTraced({
        argv: opts.argv,
        cwd: opts.cwd,
        env: opts.env,
        stdin,
        outputRoots: id.outputRoots,
        exclude: [bytePath(store.layout.root)],
        traceMode: opts.traceMode,
        mergeStderr: id.sharedOutput,
        cacheFailures: opts.cacheFailures,
        target: opts.target,
        probeFile: join(store.layout.dir, "tracer-probe.json"),
        fds: opts.passed,
      }, ctx);
    },
  }, {
    store,
    policy: {
      replayOutputs: opts.replayOutputs,
      force: opts.force,
      store: opts.store,
      ttlMs: opts.ttlMs,
    },
    lockTimeoutMs: opts.lockTimeoutMs,
    target: opts.target,
    progress: opts.progress,
  });
  if (outcome.kind === "hit") {
    if (outcome.result.kind !== "exit") {
      throw new CasherError("internal", "a command entry holds a value instead of an exit code");
    }
    // The command's next write would have killed it with SIGPIPE: end as it would have.
    if (outcome.streams.kind === "reader-gone") return EXIT_SIGPIPE;
    return outcome.result.code;
  }
  switch (outcome.result.kind) {
    case "exit":
    case "signaled":
      return outcome.result.code;
    default:
      throw new CasherError("internal", `unexpected command result ${outcome.result.kind}`);
  }
}

/** Runs the command without the cache (the plain runner is loaded on first use). */
async function runPlain(argv: readonly string[], opts: PlainRunOptions): Promise<number> {
  const plain = await import("./run_plain.ts");
  return plain.runPlain(argv, opts);
}
