/**
 * Captures what a tracked call prints, while still printing it live: `console.*`,
 * `process.stdout.write` / `process.stderr.write`, `fs.writeSync(1|2, ...)` and (through
 * the runtime seam) `Deno.stdout/stderr.write(Sync)` and `Bun.write(Bun.stdout, ...)`.
 *
 * During a tracked call, `console.log/info/debug/dir` (stdout), `console.warn/error` and a failing
 * `console.assert` (stderr) are rendered ONCE, by the runtime seam's `consoleFormat()`, and those
 * exact bytes are both written to fd 1/2 and recorded, so what a hit replays is byte for byte what
 * was seen live. The runtime's console itself is not called. Under Deno the text is Deno's own
 * console formatting; under Bun it is casher's emulation of Bun's (identical except that Bun
 * breaks a short array over lines after a long text on the same line); neither has colours, even
 * on a terminal. Outside tracked calls the console is untouched.
 *
 * Console calls whose output cannot be reproduced (`table`, `group*`, `count*`, `time*`, `trace`,
 * `dirxml`), console output inside an open `console.group()` (indented), and arguments the
 * formatter cannot render (it threw) mark the call untrusted: it runs normally, printed by the
 * runtime's console, but is not cached. Writes nested inside another captured write (Deno's
 * `process.stdout.write` goes through `Deno.stdout.writeSync`) are recorded once.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import fs from "node:fs";
import process from "node:process";
import { processTarget } from "../capture/replay.ts";
import type { RuntimeRecorder } from "../runtime/fs_hooks.ts";
import { type ConsoleFormat, consoleFormat } from "../runtime/mod.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (this: any, ...args: any[]) => any;

const LINES: Record<string, 1 | 2> = { log: 1, info: 1, debug: 1, warn: 2, error: 2 };
const GROUPS: Record<string, 1 | -1> = { group: 1, groupCollapsed: 1, groupEnd: -1 };
const UNRECORDABLE = [
  "table",
  ...Object.keys(GROUPS),
  "count",
  "countReset",
  "time",
  "timeLog",
  "timeEnd",
  "trace",
  "dirxml",
];

/**
 * Wraps console, process streams and `fs.writeSync`; returns a function that restores them.
 * `active` returns the active call's recorder (or `undefined`); `nested` tracks whether a
 * captured write is in progress so inner writes are not recorded twice.
 *
 * @example
 * ```ts
 * import { installStdioHooks } from "./stdio_capture.ts";
 * const undo = installStdioHooks(() => undefined);
 * undo();
 * ```
 */
export function installStdioHooks(active: () => RuntimeRecorder | undefined): () => void {
  const undo: (() => void)[] = [];
  // deno-lint-ignore no-explicit-any
  const patch = (obj: any, name: string, { make }: { make: (orig: AnyFn) => AnyFn }) => {
    const orig = obj?.[name];
    if (typeof orig !== "function") return;
    const wrapper = make(orig);
    obj[name] = wrapper;
    undo.push(() => {
      if (obj[name] === wrapper) obj[name] = orig;
    });
  };
  /** Runs `orig` with inner captured writes suppressed, recording `bytes()` first. */
  const record = (
    orig: AnyFn,
    fd: 1 | 2,
    { bytes }: { bytes: (args: unknown[]) => Uint8Array | undefined },
  ): AnyFn =>
    function (this: unknown, ...args: unknown[]) {
      const rec = active();
      if (rec === undefined) return orig.apply(this, args);
      const b = bytes(args);
      if (b !== undefined) rec.output(fd, b);
      return suppressed(() => orig.apply(this, args));
    };

  const printed = (fd: 1 | 2, text: ConsoleText) => (orig: AnyFn) =>
    printOnce(orig, fd, { active, text });
  for (const [name, fd] of Object.entries(LINES)) {
    patch(console, name, { make: printed(fd, (f, a) => f.line(a)) });
  }
  patch(console, "dir", { make: printed(1, (f, a) => f.dir(a)) });
  patch(console, "assert", {
    make: printed(2, (f, a) => (a[0] ? undefined : f.assertion(a.slice(1)))),
  });
  for (const name of UNRECORDABLE) {
    patch(console, name, {
      make: (orig) =>
        function (this: unknown, ...args: unknown[]) {
          active()?.untrusted(`console.${name}() output cannot be recorded faithfully`);
          try {
            return orig.apply(this, args);
          } finally {
            if (name in GROUPS) groups.open = Math.max(0, groups.open + GROUPS[name]);
          }
        },
    });
  }
  for (const [stream, fd] of [[process.stdout, 1], [process.stderr, 2]] as const) {
    patch(stream, "write", {
      make: (orig) => record(orig, fd, { bytes: (a) => chunkBytes(a[0], a[1]) }),
    });
  }
  patch(fs, "writeSync", {
    make: (orig) =>
      function (this: unknown, ...args: unknown[]) {
        const fd = args[0];
        const rec = fd === 1 || fd === 2 ? active() : undefined;
        if (rec === undefined) return orig.apply(this, args);
        const n = suppressed(() => orig.apply(this, args)) as number;
        const data = args[1];
        if (typeof data === "string") {
          const enc = (typeof args[3] === "string"
            ? args[3]
            : typeof args[2] === "string"
            ? args[2]
            : "utf8") as BufferEncoding;
          rec.output(fd as 1 | 2, Buffer.from(data, enc).subarray(0, n));
        } else if (ArrayBuffer.isView(data)) {
          const off = typeof args[2] === "number" ? args[2] : 0;
          rec.output(fd as 1 | 2, new Uint8Array(data.buffer, data.byteOffset + off, n));
        }
        return n;
      },
  });
  patch(fs, "write", {
    make: (orig) =>
      function (this: unknown, ...args: unknown[]) {
        if (args[0] === 1 || args[0] === 2) {
          active()?.untrusted("fs.write() to stdout/stderr is not recorded; use fs.writeSync");
        }
        return orig.apply(this, args);
      },
  });
  return () => undo.reverse().forEach((f) => f());
}

/** Depth of captured writes in progress (inner writes are not recorded again). */
const depth = { n: 0 };

/**
 * True while a captured write is running (a nested write must not be recorded).
 *
 * @example
 * ```ts
 * import { inCapturedWrite } from "./stdio_capture.ts";
 * inCapturedWrite(); // false
 * ```
 */
export function inCapturedWrite(): boolean {
  return depth.n > 0;
}

function suppressed<T>(f: () => T): T {
  depth.n++;
  try {
    return f();
  } finally {
    depth.n--;
  }
}

/** What a console method prints for `args` (no trailing newline), `undefined` for nothing. */
type ConsoleText = (format: ConsoleFormat, args: unknown[]) => string | undefined;

/** Groups opened (and not yet closed) through the wrapped console since the hooks went in. */
const groups = { open: 0 };

/**
 * A console method that, during a tracked call, renders its line once and writes and records
 * exactly those bytes. When that is not possible (an open group indents output, the formatter
 * threw) the call is marked untrusted and the runtime's own method prints instead.
 */
function printOnce(
  orig: AnyFn,
  fd: 1 | 2,
  opts: { readonly active: () => RuntimeRecorder | undefined; readonly text: ConsoleText },
): AnyFn {
  const { active, text } = opts;
  return function (this: unknown, ...args: unknown[]) {
    const rec = active();
    if (rec === undefined) return orig.apply(this, args);
    const r = render(text, args);
    if (r.kind === "native") {
      rec.untrusted(r.reason);
      return orig.apply(this, args);
    }
    if (r.text === undefined) return;
    const bytes = Buffer.from(r.text + "\n", "utf8");
    rec.output(fd, bytes);
    suppressed(() => writeLive(fd, bytes));
  };
}

/** The text to print, or why the runtime's own console has to print this one. */
function render(
  text: ConsoleText,
  args: unknown[],
): { kind: "text"; text: string | undefined } | { kind: "native"; reason: string } {
  try {
    const format = consoleFormat();
    if (groups.open > 0 || format.indented()) {
      return { kind: "native", reason: "console output inside console.group() is indented" };
    }
    return { kind: "text", text: text(format, args) };
  } catch (e) {
    return { kind: "native", reason: `console output could not be rendered (${String(e)})` };
  }
}

/** Writes to the real fd like the console does: synchronously, ignoring a failed write. */
function writeLive(fd: 1 | 2, bytes: Uint8Array): void {
  try {
    processTarget.write(fd, bytes);
  } catch {
    // A console never throws because its stream is gone (EPIPE, EBADF).
  }
}

function chunkBytes(chunk: unknown, encoding: unknown): Uint8Array | undefined {
  if (typeof chunk === "string") {
    return Buffer.from(chunk, typeof encoding === "string" ? encoding as BufferEncoding : "utf8");
  }
  if (chunk instanceof Uint8Array) return chunk;
  return undefined;
}
