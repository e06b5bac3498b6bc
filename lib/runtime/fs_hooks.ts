/**
 * Recording wrappers around the runtime's own file and stdio APIs (`Deno.*`, `Bun.*`),
 * for in-process I/O tracking. Wrappers only RECORD: arguments, results, errors and
 * `this` pass through unchanged, and when no tracked call is active the cost is one
 * `active()` check. This file imports nothing of casher's (the seam rule); the caller
 * supplies the recorder.
 *
 * What can be wrapped (checked on Deno 2.9 and Bun 1.4): every `Deno.*` file function
 * is a writable property, and so are `Deno.stdout/stderr.write(Sync)`; `Bun.write` is
 * writable and the `BunFile` prototype methods (`text`, `bytes`, `json`, `exists`,
 * `write`, `delete`...) are writable, so every `Bun.file(...)` object is covered.
 *
 * @module
 */
import { lstatSync, statSync } from "node:fs";

/** What a file operation did to a path, as far as caching cares. */
export type FsAccess =
  | "read" // content read
  | "probe" // existence/metadata checked
  | "list" // directory listing read
  | "write" // content replaced or created
  | "update" // appended / modified in place: read (if it existed) + write
  | "create" // exclusive create (`wx`, O_EXCL, createNew): fails if the path exists
  | "mkdir"
  | "mkdir-new" // mkdir without `recursive`: fails if the path exists
  | "remove"
  | "remove-any" // removal that succeeds whether or not the path exists (`rm -f`)
  | "before" // what was at the path before an operation whose outcome depends on it
  | "move-from" // source of a rename
  | "symlink";

/** How the operation ended: `absent` is ENOENT/ENOTDIR; `dir` is a probe that found a directory. */
export type FsOutcome = "ok" | "absent" | "dir" | "failed";

/** Receives recorded events for the active tracked call. */
export interface RuntimeRecorder {
  /**
   * A file operation on `rawPath` (string, URL or bytes; anything else is ignored) and how
   * it ended.
   */
  fs(
    access: FsAccess,
    rawPath: unknown,
    /** `mode`: the `st_mode` a `before` note found (with outcome `ok`). */
    opts: { readonly outcome: FsOutcome; readonly mode?: number },
  ): void;
  /** Bytes written to stdout (1) or stderr (2); `undefined` return = skip (nested write). */
  output(fd: 1 | 2, bytes: Uint8Array): void;
  /** Something happened that cannot be recorded faithfully. */
  untrusted(reason: string): void;
  /**
   * Runs a wrapped original with recording suspended for its synchronous part, so file
   * APIs implemented on top of other wrapped APIs (Deno's `node:fs` calls `Deno.*`) are
   * recorded once, by the outermost call.
   */
  nested<T>(f: () => T): T;
}

/** Returns the active call's recorder, or `undefined` when no tracked call is running. */
export type ActiveRecorder = () => RuntimeRecorder | undefined;

// deno-lint-ignore no-explicit-any
type AnyFn = (this: any, ...args: any[]) => any;
// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** One recorded access: what, and the raw path argument. */
export type Op = [FsAccess, unknown];

/**
 * Wraps `Deno.*` / `Bun.*` file and stdio APIs; returns a function that removes the
 * wrappers (only where they are still ours). Under Node this does nothing.
 *
 * @example
 * ```ts
 * import { installRuntimeHooks } from "./fs_hooks.ts";
 * const uninstall = installRuntimeHooks(() => undefined); // records nothing
 * uninstall();
 * ```
 */
export function installRuntimeHooks(active: ActiveRecorder): () => void {
  const undo: (() => void)[] = [];
  const patch: Patch = (obj, name, { make }) => {
    const orig = obj?.[name];
    if (typeof orig !== "function") return;
    const wrapper = make(orig as AnyFn);
    Object.defineProperty(wrapper, "name", { value: orig.name });
    try {
      obj[name] = wrapper;
    } catch {
      return; // not writable in this runtime: documented as not covered
    }
    undo.push(() => {
      if (obj[name] === wrapper) obj[name] = orig;
    });
  };
  const file =
    (ops: (args: unknown[], self: unknown) => Op[], opts: FileOpts = {}) => (orig: AnyFn) =>
      fileWrapper(orig, { ...opts, active, ops });

  if (g.Deno) patchDeno(g.Deno, { patch, file, active });
  if (g.Bun) patchBun(g.Bun, { patch, file, active });
  return () => undo.reverse().forEach((f) => f());
}

type Patch = (
  obj: Record<string, unknown>,
  name: string,
  opts: { readonly make: (orig: AnyFn) => AnyFn },
) => void;
type FileOpts = { preCheck?: boolean; probeResult?: (r: unknown) => FsOutcome };
type File = (
  ops: (args: unknown[], self: unknown) => Op[],
  opts?: FileOpts,
) => (orig: AnyFn) => AnyFn;
/** What the per-runtime patchers use: the patcher, the file-wrapper maker, the recorder. */
type Tools = { readonly patch: Patch; readonly file: File; readonly active: ActiveRecorder };

// deno-lint-ignore no-explicit-any
function patchDeno(D: any, tools: Tools): void {
  const { patch, file, active } = tools;
  const a0 = (acc: FsAccess) => (a: unknown[]): Op[] => [[acc, a[0]]];
  const both = (x: FsAccess, y: FsAccess) => (a: unknown[]): Op[] => [[x, a[0]], [y, a[1]]];
  const stat = (r: unknown) =>
    ((r as { isDirectory?: boolean })?.isDirectory ? "dir" : "ok") as FsOutcome;
  const openOps = (a: unknown[]): Op[] => {
    const o = (a[1] ?? { read: true }) as Record<string, boolean>;
    const writes = o.write || o.append || o.create || o.createNew || o.truncate;
    if (!writes) return [["read", a[0]]];
    if (o.createNew) return [["create", a[0]]];
    return [[o.truncate && !o.append ? "write" : "update", a[0]]];
  };
  const writeOps = (a: unknown[]): Op[] => {
    const o = a[2] as { append?: boolean; createNew?: boolean } | undefined;
    return [[o?.createNew ? "create" : o?.append ? "update" : "write", a[0]]];
  };
  const mkdirOps = (a: unknown[]): Op[] => [
    [(a[1] as { recursive?: boolean })?.recursive ? "mkdir" : "mkdir-new", a[0]],
  ];
  const table: [string, (a: unknown[]) => Op[], FileOpts?][] = [
    ["readFile", a0("read")],
    ["readTextFile", a0("read")],
    ["open", openOps],
    ["create", a0("write")],
    ["writeFile", writeOps],
    ["writeTextFile", writeOps],
    ["copyFile", both("read", "write")],
    ["rename", both("move-from", "write")],
    ["remove", a0("remove")],
    ["mkdir", mkdirOps],
    ["readDir", a0("list"), { preCheck: true }],
    ["stat", a0("probe"), { probeResult: stat }],
    ["lstat", a0("probe"), { probeResult: stat }],
    ["realPath", a0("probe")],
    ["readLink", a0("read")],
    ["truncate", a0("update")],
    ["symlink", (a) => [["symlink", a[1]]]],
    ["link", both("read", "write")],
  ];
  for (const [name, ops, opts] of table) {
    patch(D, name, { make: file(ops, opts) });
    patch(D, name + "Sync", { make: file(ops, opts) });
  }
  for (const [fd, stream] of [[1, D.stdout], [2, D.stderr]] as const) {
    for (const name of ["write", "writeSync"]) {
      patch(stream, name, {
        make: (orig) =>
          function (this: unknown, ...args: unknown[]) {
            const rec = active();
            if (rec && args[0] instanceof Uint8Array) rec.output(fd, args[0]);
            return orig.apply(this, args);
          },
      });
    }
  }
}

// deno-lint-ignore no-explicit-any
function patchBun(B: any, tools: Tools): void {
  const { patch, file, active } = tools;
  const name = (f: unknown) => (f as { name?: unknown })?.name;
  const self = (acc: FsAccess) => (_a: unknown[], s: unknown): Op[] => [[acc, name(s)]];
  const proto = Object.getPrototypeOf(B.file("/"));
  for (const m of ["text", "json", "arrayBuffer", "bytes", "stream", "formData"]) {
    patch(proto, m, { make: file(self("read")) });
  }
  patch(proto, "exists", {
    make: file(self("probe"), { probeResult: (r) => (r ? "ok" : "absent") }),
  });
  patch(proto, "stat", {
    make: file(self("probe"), {
      probeResult: (r) => ((r as { isDirectory?: () => boolean })?.isDirectory?.() ? "dir" : "ok"),
    }),
  });
  patch(proto, "write", { make: file(self("write")) });
  patch(proto, "writer", { make: file(self("write")) });
  patch(proto, "delete", { make: file(self("remove")) });
  patch(proto, "unlink", { make: file(self("remove")) });
  patch(B, "write", {
    make: (orig) => {
      const inner = fileWrapper(orig, {
        active,
        ops: (a) => {
          const dest = a[0];
          const ops: Op[] = [];
          if (a[1] instanceof Blob && name(a[1])) ops.push(["read", name(a[1])]);
          if (dest !== B.stdout && dest !== B.stderr) {
            ops.push(["write", dest instanceof Blob ? name(dest) : dest]);
          }
          return ops;
        },
      });
      return function (this: unknown, ...args: unknown[]) {
        const rec = active();
        if (rec && (args[0] === B.stdout || args[0] === B.stderr)) {
          const fd = args[0] === B.stdout ? 1 : 2;
          if (typeof args[1] === "string") rec.output(fd, new TextEncoder().encode(args[1]));
          else if (args[1] instanceof Uint8Array) rec.output(fd, args[1]);
          else {rec.untrusted(
              "Bun.write to stdout/stderr with a non-string, non-bytes value is not recorded",
            );}
        }
        return inner.apply(this, args);
      };
    },
  });
}

/**
 * Records `ops` (of the call's arguments and `this`) to the `active` recorder after `orig`
 * settles (sync return/throw or promise), with the outcome.
 */
function fileWrapper(
  orig: AnyFn,
  opts: FileOpts & {
    readonly active: ActiveRecorder;
    readonly ops: (args: unknown[], self: unknown) => Op[];
  },
): AnyFn {
  const { active, ops } = opts;
  return function (this: unknown, ...args: unknown[]) {
    const rec = active();
    if (rec === undefined) return orig.apply(this, args);
    let list: Op[] = [];
    let pre: FsOutcome | undefined;
    try {
      list = ops(args, this);
      if (opts.preCheck) pre = rec.nested(() => exists(list[0]?.[1])) ? "ok" : "absent";
      list = noteUpdates(list, rec, { exists });
    } catch (e) {
      rec.untrusted(`could not interpret a file operation's arguments (${String(e)})`);
    }
    const done = (outcome: FsOutcome) => {
      for (const [acc, p] of list) {
        rec.fs(acc, p, { outcome: acc === "probe" || pre === undefined ? outcome : pre });
      }
    };
    return observeCall(() => rec.nested(() => orig.apply(this, args)), {
      done,
      ok: (v) => (opts.probeResult ? opts.probeResult(v) : "ok"),
    });
  };
}

/**
 * An `update` (append, open r+) reads the old content when the file already exists: that
 * read is recorded now, before the operation runs, and the update becomes a plain write.
 *
 * @example
 * ```ts
 * import { noteUpdates } from "./fs_hooks.ts";
 * noteUpdates([["read", "/a"]], { fs() {}, output() {}, untrusted() {}, nested: (f) => f() }, { exists: () => true });
 * ```
 */
export function noteUpdates(
  list: Op[],
  rec: RuntimeRecorder,
  { exists }: { readonly exists: (p: unknown) => boolean },
): Op[] {
  return list.map(([acc, p]): Op => {
    switch (acc) {
      case "update":
        // A file that was not there is created: its absence is what the result depends on
        // (an append to a missing log makes a one-line log, not one more line).
        rec.fs("read", p, { outcome: rec.nested(() => exists(p)) ? "ok" : "absent" });
        return ["write", p];
      case "remove":
      case "create":
      case "mkdir-new":
        noteBefore(p, rec);
        return [acc === "create" ? "write" : acc === "mkdir-new" ? "mkdir" : acc, p];
      case "remove-any":
        // Its outcome and end state (nothing there) are the same whatever was there.
        return ["remove", p];
      default:
        return [acc, p];
    }
  });
}

/**
 * Records what is at `p` before an operation that succeeds or fails by it (a removal, an
 * exclusive create): nothing (`absent`), or an object of this `st_mode` (not followed).
 */
function noteBefore(p: unknown, rec: RuntimeRecorder): void {
  const mode = rec.nested(() => lstatMode(p));
  if (mode === null) rec.fs("before", p, { outcome: "absent" });
  else rec.fs("before", p, { outcome: "ok", mode });
}

function lstatMode(p: unknown): number | null {
  try {
    return lstatSync(p as string).mode;
  } catch {
    return null;
  }
}

function exists(p: unknown): boolean {
  try {
    statSync(p as string);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a wrapped file operation and reports how it ended, whether it returns, throws,
 * resolves or rejects; the result passes through unchanged.
 *
 * @example
 * ```ts ignore
 * return observeCall(() => orig.apply(this, args), { done, ok: () => "ok" });
 * ```
 */
export function observeCall(
  run: () => unknown,
  report: { done(outcome: FsOutcome): void; ok(value: unknown): FsOutcome },
): unknown {
  let r: unknown;
  try {
    r = run();
  } catch (e) {
    report.done(errorOutcome(e));
    throw e;
  }
  if (r instanceof Promise) {
    return r.then((v) => (report.done(report.ok(v)), v), (e) => {
      report.done(errorOutcome(e));
      throw e;
    });
  }
  report.done(report.ok(r));
  return r;
}

/**
 * How a failed operation counts: a missing path is `absent`, anything else `failed`.
 *
 * @example
 * ```ts
 * import { errorOutcome } from "./fs_hooks.ts";
 * errorOutcome({ code: "ENOENT" }); // "absent"
 * ```
 */
export function errorOutcome(e: unknown): FsOutcome {
  const code = (e as { code?: string })?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return "absent";
  const name = (e as { name?: string })?.name;
  return name === "NotFound" ? "absent" : "failed";
}
