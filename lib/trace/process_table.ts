/**
 * Per-process state the classifier needs: the working directory (shared between
 * tasks created with CLONE_FS, copied at fork/vfork/clone otherwise) and the
 * thread group (so exit_group ends every thread's unfinished call).
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";

/** A cwd cell; tasks sharing an fs context (CLONE_FS) share one cell. */
interface CwdCell {
  path: BytePath | null;
}

interface Task {
  cwd: CwdCell;
  tgid: number;
}

/**
 * Tracks tasks by pid.
 *
 * @example
 * ```ts
 * import { ProcessTable } from "./process_table.ts";
 * const t = new ProcessTable("/work");
 * t.cwd(100); // "/work" (the first task seen is the command)
 * t.setCwd(100, "/work/sub");
 * t.cloned(100, 101, { shareFs: false, thread: false });
 * t.cwd(101); // "/work/sub"
 * ```
 */
export class ProcessTable {
  readonly #tasks = new Map<number, Task>();
  #initialCwd: BytePath;
  #first = true;
  /** Pids with a fork-like call still unfinished: the parent of a pid seen before its clone returns. */
  readonly #forking = new Set<number>();

  constructor(initialCwd: BytePath) {
    this.#initialCwd = initialCwd;
  }

  #task(pid: number): Task {
    let t = this.#tasks.get(pid);
    if (t !== undefined) return t;
    if (this.#first) {
      this.#first = false;
      t = { cwd: { path: this.#initialCwd }, tgid: pid };
    } else {
      // A child whose creating call has not returned yet: inherit from the only forking
      // task, else from the common cwd of all tasks, else unknown.
      let cwd: BytePath | null = null;
      if (this.#forking.size === 1) {
        const parent = this.#tasks.get([...this.#forking][0]);
        cwd = parent?.cwd.path ?? null;
      } else {
        const all = new Set([...this.#tasks.values()].map((x) => x.cwd.path));
        if (all.size === 1) cwd = [...all][0];
      }
      t = { cwd: { path: cwd }, tgid: pid };
    }
    this.#tasks.set(pid, t);
    return t;
  }

  /** Whether `pid` has been seen in the trace (a task of the run). */
  has(pid: number): boolean {
    return this.#tasks.has(pid);
  }

  /** The task's cwd, or `null` when it cannot be known. */
  cwd(pid: number): BytePath | null {
    return this.#task(pid).cwd.path;
  }

  /** Records the kernel-reported cwd (from an `AT_FDCWD<path>` annotation). */
  observeCwd(pid: number, path: BytePath): void {
    this.#task(pid).cwd.path = path;
  }

  /** Applies a successful chdir/fchdir to an absolute path (`null` when unknown). */
  setCwd(pid: number, path: BytePath | null): void {
    this.#task(pid).cwd.path = path;
  }

  /** Marks a fork-like call as in flight in `pid` (its child may appear first). */
  forkStarted(pid: number): void {
    this.#task(pid);
    this.#forking.add(pid);
  }

  /** A fork-like call ended (failed or returned). */
  forkEnded(pid: number): void {
    this.#forking.delete(pid);
  }

  /** Links a new task to its parent once the creating call returned its pid. */
  cloned(parent: number, child: number, opts: { shareFs: boolean; thread: boolean }): void {
    this.#forking.delete(parent);
    const p = this.#task(parent);
    const existing = this.#tasks.get(child);
    const tgid = opts.thread ? p.tgid : child;
    if (opts.shareFs) {
      // The child may already have changed directory before we saw the clone return.
      if (existing !== undefined && existing.cwd.path !== null) p.cwd.path = existing.cwd.path;
      this.#tasks.set(child, { cwd: p.cwd, tgid });
    } else if (existing !== undefined && existing.cwd.path !== null) {
      existing.tgid = tgid;
    } else {
      this.#tasks.set(child, { cwd: { path: p.cwd.path }, tgid });
    }
  }

  /** Pids of every task in `pid`'s thread group (for exit_group). */
  threadGroup(pid: number): number[] {
    const tgid = this.#tasks.get(pid)?.tgid ?? pid;
    return [...this.#tasks].filter(([, t]) => t.tgid === tgid).map(([p]) => p);
  }

  /** Forgets a task that exited (its pid may be reused). */
  exited(pid: number): void {
    this.#tasks.delete(pid);
    this.#forking.delete(pid);
  }
}
