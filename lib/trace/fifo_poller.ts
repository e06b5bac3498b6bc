/**
 * Reads the trace FIFO by polling a non-blocking descriptor on a short timer, instead of
 * a reader blocked in `read(2)`. strace writes one line per syscall; a blocked reader is
 * woken for every one of them, and when it sits on another CPU than strace each wake-up
 * is a cross-CPU interrupt on strace's side of the ptrace ping-pong. A reader that is not
 * waiting in the pipe costs the writer nothing: it finds whatever accumulated when its
 * timer fires. The pipe holds up to 64 KiB, a few hundred lines; reads drain it whole, and
 * the timer is short enough that strace rarely waits for room.
 *
 * A FIFO opened without a writer reads as empty (0), like its end: the end is the first
 * empty read after the writer (strace) has exited.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { closeSync, constants, openSync, readSync } from "node:fs";

/** Milliseconds between polls while the pipe is empty. */
export const POLL_MS = 1;

/**
 * A polling reader of one FIFO.
 *
 * @example
 * ```ts ignore
 * const poller = new FifoPoller("/tmp/casher-x/trace", { onData: (b) => parse(b) });
 * child.once("exit", () => poller.writerGone());
 * await poller.done;
 * ```
 */
export class FifoPoller {
  /** Resolves when the FIFO is drained after {@link writerGone}; rejects on a read error. */
  readonly done: Promise<void>;
  readonly #fd: number;
  readonly #onData: (bytes: Uint8Array) => void;
  readonly #buf = Buffer.allocUnsafe(1 << 16);
  #writerGone = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #finish!: (error: unknown) => void;

  /** Opens `path` (a FIFO) for non-blocking reads and starts polling. */
  constructor(path: string, options: { onData: (bytes: Uint8Array) => void }) {
    this.#onData = options.onData;
    this.#fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.done = new Promise<void>((resolve, reject) => {
      this.#finish = (error) => {
        if (this.#timer !== null) clearTimeout(this.#timer);
        this.#timer = null;
        try {
          closeSync(this.#fd);
        } catch { /* already closed */ }
        if (error === null) resolve();
        else reject(error);
      };
    });
    this.#schedule();
  }

  /** The writer has exited: drain what is left, then end. */
  writerGone(): void {
    this.#writerGone = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#poll();
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#poll();
    }, POLL_MS);
  }

  #poll(): void {
    for (;;) {
      let n: number;
      try {
        n = readSync(this.#fd, this.#buf, 0, this.#buf.length, null);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN" || code === "EWOULDBLOCK") break;
        this.#finish(e);
        return;
      }
      if (n === 0) {
        if (this.#writerGone) {
          this.#finish(null);
          return;
        }
        break; // no writer yet, or it has not written: try again later
      }
      try {
        this.#onData(this.#buf.subarray(0, n));
      } catch (e) {
        this.#finish(e);
        return;
      }
    }
    this.#schedule();
  }
}
