/**
 * Starting a child whose stdout and stderr casher reads. Under Bun this is `Bun.spawn`:
 * `node:child_process` there wraps the same spawn in Node streams, and building them cost
 * about 3 ms of every traced run (5 ms in casher's miss). Elsewhere it is
 * `node:child_process`, loaded on first use. Both give the same small interface.
 *
 * Bun may make a child's piped stdin, stdout and stderr socketpairs, not pipes, and a socket cannot be
 * reopened: `echo oops > /dev/stderr` or `jq . /dev/stdin` fail with ENXIO. Given a private
 * `pipeDir`, the Bun branch gives the child a FIFO as stdout and stderr (made, opened at both
 * ends and unlinked at once: the pipe it would have had without casher), and a spooled
 * stdin as the spool file itself.
 *
 * @module
 */
import process from "node:process";
import { mkfifo } from "./mkfifo.ts";
import { osPipe } from "./os_pipe.ts";

/** A child's output stream, read chunk by chunk. */
export interface ChunkSource {
  /** Delivers each chunk as it arrives; resolves at the end of the stream (or on error). */
  forEach(onChunk: (chunk: Uint8Array) => void): Promise<void>;
  /** Stops reading and closes casher's end (the writer then gets EPIPE or SIGPIPE). */
  cancel(): void;
}

/** How a child ended: its exit code, or the name of the signal that killed it. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A started child. */
export interface PipedChild {
  readonly pid: number | undefined;
  readonly stdout: ChunkSource;
  readonly stderr: ChunkSource;
  /** Resolves when the child exits; rejects when it could not be started (ENOENT...). */
  readonly exited: Promise<ChildExit>;
}

/**
 * What the child's stdin is: casher's own (`inherit`), /dev/null, an open descriptor, or a
 * pipe fed with a file's bytes (`feed`: a stdin casher read to its end stays a pipe for the
 * command, as it was without casher).
 */
export type ChildStdin =
  | "inherit"
  | "null"
  | { readonly fd: number }
  | { readonly feed: string };

/** Options of {@link spawnPiped}. */
export interface SpawnOptions {
  readonly cwd: string;
  /** The child's whole environment. */
  readonly env: Record<string, string>;
  readonly stdin: ChildStdin;
  /**
   * A private directory where the Bun branch makes (and at once unlinks) the FIFOs that
   * stand in for pipes; without it, Bun's sockets are used.
   */
  readonly pipeDir?: string;
  /**
   * Give the child one pipe as both stdout and stderr (casher's own fds 1 and 2 are one
   * file: a terminal, `> log 2>&1`), so their bytes keep the order the command wrote them
   * in; they all arrive on `stdout`. Honoured where a FIFO stands in for pipes (Bun).
   */
  readonly mergeStderr?: boolean;
  /** Inherited descriptors above 2 the child gets at the same numbers (no others). */
  readonly extraFds?: readonly number[];
}

/**
 * A stdio list for a spawn: `base` (fds 0-2), then each of `fds` at its own number and
 * nothing at the numbers between.
 *
 * @example
 * ```ts
 * import { stdioWithFds } from "./spawn.ts";
 * stdioWithFds(["inherit", "inherit", "inherit"], [4]); // [..., "ignore", 4]
 * ```
 */
export function stdioWithFds<T>(
  base: readonly [T, T, T],
  fds: readonly number[] = [],
): (T | number | "ignore")[] {
  const stdio: (T | number | "ignore")[] = [...base];
  for (const fd of fds) {
    while (stdio.length < fd) stdio.push("ignore");
    stdio[fd] = fd;
  }
  return stdio;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/**
 * Starts `argv` with piped stdout and stderr. The descriptor of a `{ fd }` stdin is
 * duplicated into the child; the caller still owns (and closes) it.
 *
 * @example
 * ```ts ignore
 * const child = spawnPiped(["strace", "-o", "/tmp/t", "true"], { cwd: "/tmp", env: {}, stdin: "null" });
 * await child.stdout.forEach((c) => console.log(c.length));
 * console.log(await child.exited);
 * ```
 */
export function spawnPiped(
  argv: readonly string[],
  options: SpawnOptions,
): PipedChild {
  return typeof g.Bun?.spawn === "function" ? bunSpawn(argv, options) : nodeSpawn(argv, options);
}

function stdinOf(stdin: ChildStdin): "inherit" | "ignore" | "pipe" | number {
  if (stdin === "inherit") return "inherit";
  if (stdin === "null") return "ignore";
  return "fd" in stdin ? stdin.fd : "pipe";
}

/** Chunks of the file at `path`, read synchronously 64 KiB at a time. */
function* fileChunks(path: string): Generator<Uint8Array> {
  const { openSync, readSync, closeSync } = process.getBuiltinModule(
    "node:fs",
  ) as typeof import("node:fs");
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const buf = new Uint8Array(1 << 16);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** The two ends of a FIFO casher reads: its own (non-blocking) and the child's. */
interface FifoPipe {
  readonly mine: number;
  readonly child: number;
}

/** A FIFO in `dir` that casher reads and the child writes; `null` if none can be made. */
function fifoPipe(dir: string, opts: { readonly name: string }): FifoPipe | null {
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  const { O_RDONLY, O_WRONLY, O_NONBLOCK } = fs.constants;
  const path = `${dir}/${opts.name}`;
  if (mkfifo(path, 0o600) !== "created") return null;
  let reader: number | null = null;
  try {
    // A FIFO's writer opens without blocking once its reader is open.
    reader = fs.openSync(path, O_RDONLY | O_NONBLOCK);
    return { mine: reader, child: fs.openSync(path, O_WRONLY) };
  } catch {
    if (reader !== null) fs.closeSync(reader);
    return null;
  } finally {
    fs.unlinkSync(path);
  }
}

function bunSpawn(
  argv: readonly string[],
  options: SpawnOptions,
): PipedChild {
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  const feed = typeof options.stdin === "object" && "feed" in options.stdin
    ? options.stdin.feed
    : null;
  const dir = options.pipeDir;
  const outPipe = dir === undefined ? null : fifoPipe(dir, { name: "stdout" });
  const merged = outPipe !== null && options.mergeStderr === true;
  const errPipe = dir === undefined || merged ? null : fifoPipe(dir, { name: "stderr" });
  // A spooled stdin is fed through a real pipe (a FIFO would block a reopen of
  // /dev/stdin after EOF; the spool file itself would let `head` seek back in it).
  const inPipe = feed === null ? null : osPipe();
  let proc;
  try {
    proc = g.Bun.spawn([...argv], {
      cwd: options.cwd,
      env: options.env,
      stdio: stdioWithFds([
        inPipe?.read ?? stdinOf(options.stdin),
        outPipe?.child ?? "pipe",
        merged ? outPipe.child : errPipe?.child ?? "pipe",
      ], options.extraFds),
    });
  } catch (e) {
    for (const fd of [outPipe?.mine, errPipe?.mine, inPipe?.write]) {
      if (fd !== undefined) fs.closeSync(fd);
    }
    const failed = Promise.reject(e);
    failed.catch(() => {}); // observed by the caller through `exited`
    const empty: ChunkSource = { forEach: () => Promise.resolve(), cancel: () => {} };
    return { pid: undefined, stdout: empty, stderr: empty, exited: failed };
  } finally {
    for (const fd of [outPipe?.child, errPipe?.child, inPipe?.read]) {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }
  if (feed !== null) {
    const sink = inPipe === null ? proc.stdin : g.Bun.file(inPipe.write).writer();
    (async () => {
      try {
        for (const chunk of fileChunks(feed)) {
          sink.write(chunk);
          await sink.flush();
        }
      } catch { /* the command stopped reading: like a closed pipe */ }
      try {
        await sink.end();
      } catch { /* already closed */ }
      if (inPipe !== null) fs.closeSync(inPipe.write); // the end stays open: EOF for the child
    })();
  }
  const source = (stream: ReadableStream<Uint8Array>, fd?: number): ChunkSource => {
    const reader = stream.getReader();
    // Bun.file(fd).stream() leaves the descriptor open: closed once the stream is over.
    const closeFd = () => {
      if (fd === undefined) return;
      try {
        fs.closeSync(fd);
      } catch { /* closed already */ }
      fd = undefined;
    };
    let cancelled = false;
    return {
      async forEach(onChunk) {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done || cancelled) return;
            onChunk(value);
          }
        } catch {
          /* cancelled, or the pipe broke: the end of the stream */
        } finally {
          if (!cancelled) closeFd();
        }
      },
      cancel() {
        cancelled = true;
        reader.cancel().catch(() => {}).finally(closeFd);
      },
    };
  };
  return {
    pid: proc.pid,
    stdout: outPipe === null
      ? source(proc.stdout)
      : source(g.Bun.file(outPipe.mine).stream(), outPipe.mine),
    stderr: merged
      ? { forEach: () => Promise.resolve(), cancel: () => {} }
      : errPipe === null
      ? source(proc.stderr)
      : source(g.Bun.file(errPipe.mine).stream(), errPipe.mine),
    exited: proc.exited.then(() => ({
      code: proc.signalCode ? null : proc.exitCode,
      signal: proc.signalCode ?? null,
    })),
  };
}

/**
 * Under Deno: one FIFO in `dir` for a child's stdout and stderr together, read with
 * Deno's own file API (its reads of a FIFO do not block the event loop).
 */
function denoMergedPipe(dir: string): { child: number; source: ChunkSource } | null {
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  const path = `${dir}/output`;
  if (mkfifo(path, 0o600) !== "created") return null;
  try {
    // The reader's open waits for a writer on Deno's blocking-I/O threads; this open of
    // the writer then completes both.
    const reading = g.Deno.open(path, { read: true });
    const child = fs.openSync(path, fs.constants.O_WRONLY);
    const file = reading as Promise<{ readable: ReadableStream<Uint8Array> }>;
    let cancelled = false;
    let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
    const source: ChunkSource = {
      async forEach(onChunk) {
        try {
          reader = (await file).readable.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done || cancelled) return;
            onChunk(value);
          }
        } catch { /* cancelled, or the pipe broke: the end of the stream */ }
      },
      cancel() {
        cancelled = true;
        reader?.cancel().catch(() => {});
      },
    };
    return { child, source };
  } catch {
    return null;
  } finally {
    fs.unlinkSync(path);
  }
}

function nodeSpawn(
  argv: readonly string[],
  options: SpawnOptions,
): PipedChild {
  const { spawn } = process.getBuiltinModule(
    "node:child_process",
  ) as typeof import("node:child_process");
  const merged = options.mergeStderr === true && options.pipeDir !== undefined &&
      g.Deno !== undefined
    ? denoMergedPipe(options.pipeDir)
    : null;
  const child = spawn(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env: options.env,
    stdio: stdioWithFds(
      [stdinOf(options.stdin), merged?.child ?? "pipe", merged?.child ?? "pipe"],
      options.extraFds,
    ) as import("node:child_process").StdioOptions,
  });
  if (merged !== null) {
    const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
    fs.closeSync(merged.child);
  }
  if (typeof options.stdin === "object" && "feed" in options.stdin && child.stdin) {
    const { createReadStream } = process.getBuiltinModule("node:fs") as typeof import("node:fs");
    child.stdin.on("error", () => {/* the command stopped reading: like a closed pipe */});
    const input = createReadStream(options.stdin.feed);
    input.on("error", () => child.stdin?.destroy());
    input.pipe(child.stdin);
  }
  const source = (stream: import("node:stream").Readable): ChunkSource => ({
    forEach: (onChunk) =>
      new Promise<void>((resolve) => {
        stream.on("data", (chunk: Uint8Array) => onChunk(chunk));
        stream.on("end", () => resolve());
        stream.on("close", () => resolve());
        stream.on("error", () => resolve());
      }),
    cancel: () => stream.destroy(),
  });
  return {
    pid: child.pid,
    stdout: merged === null ? source(child.stdout!) : merged.source,
    stderr: merged === null
      ? source(child.stderr!)
      : { forEach: () => Promise.resolve(), cancel: () => {} },
    exited: new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code, signal) => resolve({ code, signal }));
    }),
  };
}
