/**
 * Captures what a tracked call prints, while still printing it live: `console.*`,
 * `process.stdout.write` / `process.stderr.write`, `fs.writeSync(1|2, ...)` and (through
 * the runtime seam) `Deno.stdout/stderr.write(Sync)` and `Bun.write(Bun.stdout, ...)`.
 *
 * `console.log/info/debug/dir` (stdout) and `console.warn/error` (stderr) are recorded as
 * `node:util` formats them, without colours; the live line is printed by the runtime's own
 * console and may differ cosmetically (colours). Console calls whose output cannot be
 * reproduced (`table`, `group*`, `count*`, `time*`, `trace`, `dirxml`) mark the call
 * untrusted (it runs normally but is not cached). Writes nested inside another captured
 * write (Deno's `process.stdout.write` goes through `Deno.stdout.writeSync`) are recorded once.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import fs from "node:fs";
import process from "node:process";
import { formatWithOptions, inspect } from "node:util";
import { runtimeInspect, type RuntimeRecorder } from "../runtime/fs_hooks.ts";

// deno-lint-ignore no-explicit-any
type AnyFn = (this: any, ...args: any[]) => any;

const LINES: Record<string, 1 | 2> = { log: 1, info: 1, debug: 1, warn: 2, error: 2 };
const UNRECORDABLE = [
  "table",
  "group",
  "groupCollapsed",
  "groupEnd",
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

  for (const [name, fd] of Object.entries(LINES)) {
    patch(console, name, {
      make: (orig) => record(orig, fd, { bytes: (a) => line(formatArgs(a)) }),
    });
  }
  patch(console, "dir", {
    make: (orig) =>
      record(orig, 1, {
        bytes: (a) => line(inspect(a[0], { colors: false, ...(a[1] as object) })),
      }),
  });
  patch(console, "assert", {
    make: (orig) =>
      record(orig, 2, {
        bytes: (a) =>
          a[0] ? undefined : line(
            [
              "Assertion failed",
              ...(a.length > 1 ? [formatWithOptions({ colors: false }, ...a.slice(1))] : []),
            ].join(": "),
          ),
      }),
  });
  for (const name of UNRECORDABLE) {
    patch(console, name, {
      make: (orig) =>
        function (this: unknown, ...args: unknown[]) {
          active()?.untrusted(`console.${name}() output cannot be recorded faithfully`);
          return orig.apply(this, args);
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

/** console.log's rendering: `%` formats via node:util; otherwise strings raw, values inspected. */
function formatArgs(args: unknown[]): string {
  if (typeof args[0] === "string" && args[0].includes("%")) {
    return formatWithOptions({ colors: false }, ...args);
  }
  return args.map((a) =>
    typeof a === "string" ? a : runtimeInspect(a, (v) => inspect(v, { colors: false }))
  ).join(" ");
}

function line(s: string): Uint8Array {
  return Buffer.from(s + "\n", "utf8");
}

function chunkBytes(chunk: unknown, encoding: unknown): Uint8Array | undefined {
  if (typeof chunk === "string") {
    return Buffer.from(chunk, typeof encoding === "string" ? encoding as BufferEncoding : "utf8");
  }
  if (chunk instanceof Uint8Array) return chunk;
  return undefined;
}
