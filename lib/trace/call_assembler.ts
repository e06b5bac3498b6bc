/**
 * Joins `<unfinished ...>` / `<... name resumed>` halves per pid, so interleaved
 * processes yield whole calls in completion order.
 *
 * @module
 */
import type { TraceLine } from "./line_parser.ts";

/** A whole trace event after joining halves. */
export type TraceEvent =
  | { readonly kind: "call"; readonly pid: number; readonly name: string; readonly body: string }
  | { readonly kind: "exited"; readonly pid: number; readonly code: number }
  | { readonly kind: "killed"; readonly pid: number; readonly signal: string }
  | { readonly kind: "superseded"; readonly pid: number; readonly by: number }
  | { readonly kind: "skip" }
  | { readonly kind: "invalid"; readonly reason: string };

const SKIP: TraceEvent = { kind: "skip" };

/**
 * Stateful joiner of split calls.
 *
 * @example
 * ```ts
 * import { CallAssembler } from "./call_assembler.ts";
 * import { parseTraceLine } from "./line_parser.ts";
 * const a = new CallAssembler();
 * a.push(parseTraceLine("7  vfork( <unfinished ...>"));
 * a.push(parseTraceLine("7  <... vfork resumed>) = 8")); // { kind: "call", pid: 7, name: "vfork", body: ") = 8" }
 * ```
 */
export class CallAssembler {
  readonly #pending = new Map<number, { name: string; partial: string }>();

  /** Feeds one parsed line; returns the whole event it completes (or `skip`). */
  push(line: TraceLine): TraceEvent {
    switch (line.kind) {
      case "call":
      case "exited":
      case "killed":
      case "invalid":
        return line;
      case "superseded": {
        // The exec'ing thread `by` took over `pid`: its pending execve resumes under `pid`.
        const p = this.#pending.get(line.by);
        if (p !== undefined && !this.#pending.has(line.pid)) {
          this.#pending.delete(line.by);
          this.#pending.set(line.pid, p);
        }
        return line;
      }
      case "unfinished":
        if (this.#pending.has(line.pid)) {
          return {
            kind: "invalid",
            reason: `pid ${line.pid} started ${line.name} while another call was unfinished`,
          };
        }
        this.#pending.set(line.pid, { name: line.name, partial: line.partial });
        return SKIP;
      case "resumed": {
        const p = this.#pending.get(line.pid);
        if (p === undefined || p.name !== line.name) {
          return {
            kind: "invalid",
            reason: `pid ${line.pid} resumed ${line.name} that was never started`,
          };
        }
        this.#pending.delete(line.pid);
        return { kind: "call", pid: line.pid, name: line.name, body: p.partial + line.rest };
      }
      case "signal":
      case "blank":
        return SKIP;
    }
  }

  /** Forgets the unfinished call of a process that died inside it. */
  drop(pid: number): void {
    this.#pending.delete(pid);
  }

  /** Calls still unfinished (at end of trace these mean the trace is incomplete). */
  leftovers(): string[] {
    return [...this.#pending].map(([pid, p]) => `${p.name} in pid ${pid}`);
  }
}
