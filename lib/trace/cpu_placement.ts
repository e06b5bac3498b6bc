/**
 * Where a traced run executes. Every traced syscall stops the command and wakes strace,
 * then the other way round; when the two sit on different CPUs each hand-over is a
 * cross-CPU wake-up, which costs several times a same-CPU switch (inside a VM it is an IPI
 * and a VM exit). So the run starts *packed*: strace and the command share one CPU, and
 * a gcc compile traced that way costs about a quarter less.
 *
 * A run that goes parallel must not be held to one CPU: as soon as more than one traced
 * task could be running (more than one *leaf*: a task without a live child process; a
 * process that forked is assumed to wait, a thread's creator is not), every known task and
 * strace are *spread* over all the CPUs casher may use, and packed again when the run is
 * back to one leaf. The tasks are learned from the trace itself (clone/fork/vfork and exit
 * lines), so a change of placement lags a little behind the run; it changes only speed,
 * never what is recorded.
 *
 * @module
 */
import { currentCpu, getAffinity, setAffinity } from "../runtime/mod.ts";

/**
 * What the trace model reports about tasks: every pid it sees, every task creation, every
 * end.
 */
export interface TaskObserver {
  task(pid: number): void;
  cloned(parent: number, child: number, opts: { readonly thread: boolean }): void;
  ended(pid: number): void;
}

/** Sets the CPUs of one thread (0: the caller); false when it is gone or not allowed. */
export type SetCpus = (tid: number, cpus: readonly number[]) => boolean;

interface Task {
  parent: number | null;
  /** Live child processes (threads are not counted: their creator keeps running). */
  kids: number;
}

/**
 * The placement of one traced run.
 *
 * @example
 * ```ts ignore
 * const placement = CpuPlacement.start();
 * const child = placement?.spawnPacked(() => spawn("strace", args)) ?? spawn("strace", args);
 * placement?.tracer(child.pid!);
 * ```
 */
export class CpuPlacement implements TaskObserver {
  readonly #all: readonly number[];
  readonly #home: number;
  readonly #set: SetCpus;
  readonly #tasks = new Map<number, Task>();
  #leaves = 0;
  #tracer: number | null = null;
  #packed = true;
  #moves = 0;

  /**
   * A placement over `all` CPUs that packs onto `home`. Use {@link CpuPlacement.start}
   * outside tests.
   */
  constructor(options: { all: readonly number[]; home: number; set: SetCpus }) {
    this.#all = options.all;
    this.#home = options.home;
    this.#set = options.set;
  }

  /**
   * A placement for this process's CPUs, or `null` when there is nothing to choose (one CPU
   * allowed) or the runtime cannot set affinity (no FFI). The home CPU is one casher is
   * not running on, so casher reads the trace beside the run rather than inside it.
   */
  static start(): CpuPlacement | null {
    const all = getAffinity(0);
    if (all === null || all.length < 2) return null;
    const here = currentCpu();
    const home = [...all].reverse().find((c) => c !== here) ?? all[all.length - 1];
    return new CpuPlacement({ all, home, set: setAffinity });
  }

  /** Runs `spawn` with this thread packed, so the child (strace) starts on the home CPU. */
  spawnPacked<T>(spawn: () => T): T {
    const packed = this.#set(0, [this.#home]);
    try {
      return spawn();
    } finally {
      if (packed) this.#set(0, this.#all);
    }
  }

  /** The strace process, moved along with the tasks it traces. */
  tracer(pid: number): void {
    this.#tracer = pid;
    if (!this.#packed) this.#set(pid, this.#all);
  }

  /**
   * A pid seen in the trace. Placement is decided at clone returns and exits only: a child's
   * first lines often come before its parent's clone returns, and counting it as a second
   * leaf then would spread and pack the run on every fork.
   */
  task(pid: number): void {
    if (this.#tasks.has(pid)) return;
    this.#tasks.set(pid, { parent: null, kids: 0 });
    this.#leaves++;
    // A task inherits its creator's CPUs, which may predate the last move (the trace lags
    // behind the run): give it the current ones. Before any move, all inherited the pack.
    if (this.#moves > 0) this.#set(pid, this.#packed ? [this.#home] : this.#all);
  }

  /** `parent` created `child` (a thread when `thread`). */
  cloned(parent: number, child: number, opts: { readonly thread: boolean }): void {
    this.task(parent);
    this.task(child);
    if (opts.thread) return this.#settle(); // creator and thread both run: two leaves
    const c = this.#tasks.get(child)!;
    if (c.parent !== null) return;
    c.parent = parent;
    const p = this.#tasks.get(parent)!;
    if (p.kids++ === 0) this.#leaves--;
    this.#settle();
  }

  /** A task ended. */
  ended(pid: number): void {
    const t = this.#tasks.get(pid);
    if (t === undefined) return;
    this.#tasks.delete(pid);
    if (t.kids === 0) this.#leaves--;
    const p = t.parent === null ? undefined : this.#tasks.get(t.parent);
    if (p !== undefined && --p.kids === 0) this.#leaves++;
    this.#settle();
  }

  /** Whether the run is packed on one CPU now. */
  get packed(): boolean {
    return this.#packed;
  }

  /** How many times the run was spread or packed again (for tests and diagnostics). */
  get moves(): number {
    return this.#moves;
  }

  #settle(): void {
    const packed = this.#leaves <= 1;
    if (packed === this.#packed) return;
    this.#packed = packed;
    this.#moves++;
    const cpus = packed ? [this.#home] : this.#all;
    if (this.#tracer !== null) this.#set(this.#tracer, cpus);
    for (const tid of this.#tasks.keys()) this.#set(tid, cpus);
  }
}
