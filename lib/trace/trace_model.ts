/**
 * The streaming trace model: feed strace lines as they arrive, get {@link Effects}
 * at the end. Holds per-path and per-process state only, never the trace, so a
 * run of millions of syscalls stays in bounded memory (bounded by distinct paths).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type { AbsentErrno } from "./args.ts";
import { CallAssembler } from "./call_assembler.ts";
import { FdAliases } from "./fd_aliases.ts";
import { Classifier } from "./classifier.ts";
import type { Effects } from "./effects.ts";
import { HexMemo } from "./hex_memo.ts";
import { parseTraceLine } from "./line_parser.ts";
import { PathBook } from "./path_book.ts";
import { PathFilter } from "./path_filter.ts";
import { PathNormalizer } from "./path_normalizer.ts";
import { ProcessTable } from "./process_table.ts";

/** Options of a {@link TraceModel}. */
export interface TraceModelOptions {
  /** The command's starting cwd (absolute). */
  readonly cwd: BytePath;
  readonly outputRoots: readonly BytePath[];
  readonly exclude: readonly BytePath[];
  readonly onFirstRead?: (path: BytePath) => void;
}

/** What the model concluded. */
export interface TraceSummary {
  readonly effects: Effects;
  /** Whole syscalls seen. */
  readonly syscalls: number;
  /** The signal that killed the first traced process, if the trace showed one. */
  readonly rootSignal: string | null;
}

const FORKS = new Set(["clone", "clone3", "fork", "vfork"]);

/**
 * Streaming trace model.
 *
 * @example
 * ```ts
 * import { TraceModel } from "./trace_model.ts";
 * const m = new TraceModel({ cwd: "/w", outputRoots: ["/"], exclude: [] });
 * m.line('5  openat(AT_FDCWD<\\x2f\\x77>, "\\x61", O_RDONLY) = 3<\\x2f\\x77\\x2f\\x61>');
 * m.finish().effects.inputs; // [{ path: "/w/a", kind: "file" }]
 * ```
 */
export class TraceModel {
  readonly #assembler = new CallAssembler();
  readonly #table: ProcessTable;
  readonly #book: PathBook;
  readonly #classifier: Classifier;
  #reason: string | null = null;
  #untrustCount = 0;
  #syscalls = 0;
  #root = -1;
  #rootSignal: string | null = null;

  constructor(opts: TraceModelOptions) {
    const untrust = (r: string) => this.untrust(r);
    this.#table = new ProcessTable(opts.cwd);
    // `x/..` is collapsed only while x is a real directory: that is an input too.
    const normalizer = new PathNormalizer({
      onCollapse: (d) => this.#book.meta(d, { kind: "lstat" }),
    });
    this.#book = new PathBook({
      filter: new PathFilter({ exclude: opts.exclude, outputRoots: opts.outputRoots }),
      onFirstRead: opts.onFirstRead,
      untrust,
      resolve: (base, p) => normalizer.resolve(base, p),
    });
    this.#classifier = new Classifier({
      book: this.#book,
      table: this.#table,
      normalizer,
      untrust,
      decode: new HexMemo().decodeRange,
      onExitGroup: (pid) => this.#groupEnded(pid),
      aliases: new FdAliases(),
    });
  }

  /** Marks the run untrusted (the first reason is kept). */
  untrust(reason: string): void {
    this.#untrustCount++;
    if (this.#reason === null) this.#reason = reason;
  }

  /**
   * Records an input found outside the trace (e.g. PATH lookup done by the runner); an
   * `absent` one with the errno the lookup got (ENOENT when not given).
   */
  preInput(
    path: BytePath,
    kind: "absent" | "exec",
    opts: { readonly errno?: AbsentErrno } = {},
  ): void {
    if (kind === "absent") this.#book.absent(path, opts);
    else this.#book.read(path, "exec");
  }

  /** Feeds one trace line (without its newline). */
  line(text: string): void {
    const l = parseTraceLine(text);
    if (l.kind === "blank") return;
    if (l.kind === "invalid") return this.untrust(l.reason);
    if (this.#root < 0) this.#root = l.pid;
    if (l.kind === "unfinished" && FORKS.has(l.name)) this.#table.forkStarted(l.pid);
    const ev = this.#assembler.push(l);
    switch (ev.kind) {
      case "call":
        this.#syscalls++;
        this.#classifier.call(ev.pid, ev.name, { body: ev.body });
        return;
      case "exited":
        this.#groupEnded(ev.pid);
        return;
      case "killed":
        if (ev.pid === this.#root) this.#rootSignal = ev.signal;
        this.#groupEnded(ev.pid);
        return;
      case "invalid":
        return this.untrust(ev.reason);
      case "superseded":
      case "skip":
        return;
    }
  }

  #groupEnded(pid: number): void {
    for (const p of this.#table.threadGroup(pid)) {
      this.#assembler.drop(p);
      this.#table.exited(p);
    }
    this.#assembler.drop(pid);
  }

  /** Ends the stream; `tail` is any incomplete last line. `expectTrace: false` when nothing ran. */
  finish(tail = "", opts: { expectTrace?: boolean } = {}): TraceSummary {
    if (tail !== "") this.untrust(`trace ended mid-line: ${JSON.stringify(tail.slice(0, 80))}`);
    const left = this.#assembler.leftovers();
    if (left.length > 0) {
      this.untrust(`trace ended with unfinished calls: ${left.slice(0, 3).join(", ")}`);
    }
    if (this.#root < 0 && opts.expectTrace !== false) {
      this.untrust("trace is empty: strace did not run the command");
    }
    const reason = this.#reason === null
      ? null
      : this.#untrustCount > 1
      ? `${this.#reason} (and ${this.#untrustCount - 1} more)`
      : this.#reason;
    const effects = this.#book.finish(
      reason === null ? { kind: "trusted" } : { kind: "untrusted", reason },
    );
    return { effects, syscalls: this.#syscalls, rootSignal: this.#rootSignal };
  }
}
