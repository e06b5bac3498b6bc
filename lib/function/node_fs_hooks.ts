/**
 * Recording wrappers on `node:fs`: the default export object (sync and callback APIs)
 * and `fs.promises`. They only record; arguments, results, errors and `this` pass
 * through, and with no tracked call active the cost is one `active()` check.
 *
 * What this reaches (checked on Deno 2.9 and Bun 1.4): callers that go through the
 * objects, i.e. `import fs from "node:fs"` then `fs.readFileSync(...)`, `require("fs")`,
 * `fs.promises.*`, and streams (`createReadStream` opens through `fs.open`). It does NOT
 * reach named ESM imports (`import { readFileSync } from "node:fs"`), which are bound
 * before any patch; `module.syncBuiltinESMExports()` does not update them in either
 * runtime, nor `import * as fsp from "node:fs/promises"` (a namespace of the same bindings,
 * in Deno 2.9 and Bun 1.4 alike). casher's own code uses named imports, so it is never
 * recorded.
 *
 * @module
 */
import fs from "node:fs";
import {
  type ActiveRecorder,
  errorOutcome,
  type FsAccess,
  type FsOutcome,
  noteUpdates,
  observeCall,
  type Op,
} from "../runtime/fs_hooks.ts";
// deno-lint-ignore no-explicit-any
type AnyFn = (this: any, ...args: any[]) => any;
type Style = "sync" | "callback" | "promise";

const a0 = (acc: FsAccess) => (a: unknown[]): Op[] => [[acc, a[0]]];
const both = (x: FsAccess, y: FsAccess) => (a: unknown[]): Op[] => [[x, a[0]], [y, a[1]]];
const flagOps = (flags: unknown, p: unknown): Op[] => [[flagAccess(flags), p]];
const optFlag = (
  o: unknown,
) => (typeof o === "object" && o !== null
  ? (o as { flag?: unknown; flags?: unknown }).flag ?? (o as { flags?: unknown }).flags
  : undefined);

/** Base name -> ops derived from the arguments. Applied to the sync, callback and promise forms. */
const SPEC: Record<string, (a: unknown[]) => Op[]> = {
  readFile: (a) => flagOps(optFlag(a[1]) ?? "r", a[0]),
  readdir: a0("list"),
  opendir: a0("list"),
  readlink: a0("read"),
  realpath: a0("probe"),
  stat: a0("probe"),
  lstat: a0("probe"),
  access: a0("probe"),
  exists: a0("probe"),
  open: (a) => flagOps(typeof a[1] === "function" ? "r" : a[1] ?? "r", a[0]),
  writeFile: (a) => flagOps(optFlag(a[2]) ?? "w", a[0]),
  appendFile: (a) => flagOps(optFlag(a[2]) ?? "a", a[0]),
  truncate: a0("update"),
  copyFile: both("read", "write"),
  cp: both("read", "write"),
  rename: both("move-from", "write"),
  unlink: a0("remove"),
  rm: (a) => [[isForce(a[1]) ? "remove-any" : "remove", a[0]]],
  rmdir: a0("remove"),
  mkdir: (a) => [[isRecursive(a[1]) ? "mkdir" : "mkdir-new", a[0]]],
  symlink: (a) => [["symlink", a[1]]],
  link: both("read", "write"),
};

function isForce(o: unknown): boolean {
  return typeof o === "object" && o !== null && (o as { force?: unknown }).force === true;
}

function isRecursive(o: unknown): boolean {
  return typeof o === "object" && o !== null && (o as { recursive?: unknown }).recursive === true;
}

/** Sync-only stream constructors: recorded at creation with a pre-checked outcome. */
const STREAMS: Record<string, (a: unknown[]) => Op[]> = {
  createReadStream: (a) => flagOps(optFlag(a[1]) ?? "r", a[0]),
  createWriteStream: (a) => flagOps(optFlag(a[1]) ?? "w", a[0]),
};

/**
 * Maps `fs.open` flags (string or numeric) to an access.
 *
 * @example
 * ```ts
 * import { flagAccess } from "./node_fs_hooks.ts";
 * flagAccess("a+"); // "update"
 * ```
 */
export function flagAccess(flags: unknown): FsAccess {
  const C = fs.constants;
  if (typeof flags === "number") {
    const acc = flags & 3;
    if (acc === C.O_RDONLY && !(flags & C.O_TRUNC)) return "read";
    if (flags & C.O_EXCL) return "create";
    return flags & C.O_TRUNC ? "write" : "update";
  }
  const f = String(flags);
  if (f.includes("x")) return "create";
  if (f.startsWith("w")) return "write";
  if (f.startsWith("a") || f.includes("+")) return "update";
  return "read";
}

/**
 * Wraps the `node:fs` functions; returns a function that restores them (only where the
 * wrapper is still in place). `hooks` supplies the active recorder and the update pre-check.
 *
 * @example
 * ```ts
 * import { installNodeFsHooks } from "./node_fs_hooks.ts";
 * const undo = installNodeFsHooks({ active: () => undefined, exists: () => false });
 * undo();
 * ```
 */
export function installNodeFsHooks(
  hooks: { active: ActiveRecorder; exists: (raw: unknown) => boolean },
): () => void {
  const undo: (() => void)[] = [];
  const patch = (
    // deno-lint-ignore no-explicit-any
    obj: any,
    name: string,
    opts: { ops: (a: unknown[]) => Op[]; style: Style | "stream" },
  ) => {
    const orig = obj[name];
    if (typeof orig !== "function") return;
    const result = name.startsWith("exists") ? "exists" : /^l?stat/.test(name) ? "stat" : "other";
    const wrapper = wrap(orig, hooks, { ...opts, result });
    Object.defineProperty(wrapper, "name", { value: orig.name });
    for (const s of Object.getOwnPropertySymbols(orig)) {
      (wrapper as unknown as Record<symbol, unknown>)[s] = orig[s];
    }
    obj[name] = wrapper;
    undo.push(() => {
      if (obj[name] === wrapper) obj[name] = orig;
    });
  };
  for (const [base, ops] of Object.entries(SPEC)) {
    patch(fs, base, { ops, style: "callback" });
    patch(fs, base + "Sync", { ops, style: "sync" });
    patch(fs.promises, base, { ops, style: "promise" });
  }
  for (const [name, ops] of Object.entries(STREAMS)) patch(fs, name, { ops, style: "stream" });
  return () => undo.reverse().forEach((f) => f());
}

/**
 * Wraps `orig` to record `ops` (of its arguments) with the outcome once it settles in its
 * `style` (callback, sync, promise or stream constructor); `result` says how a successful
 * return maps to an outcome.
 */
function wrap(
  orig: AnyFn,
  hooks: { active: ActiveRecorder; exists: (raw: unknown) => boolean },
  opts: {
    readonly ops: (a: unknown[]) => Op[];
    readonly style: Style | "stream";
    readonly result: "exists" | "stat" | "other";
  },
): AnyFn {
  const { ops, style, result } = opts;
  const isExists = result === "exists";
  return function (this: unknown, ...args: unknown[]) {
    const rec = hooks.active();
    if (rec === undefined) return orig.apply(this, args);
    let list: Op[] = [];
    let pre: FsOutcome | undefined;
    try {
      list = noteUpdates(ops(args), rec, { exists: hooks.exists });
      if (style === "stream" && list[0]?.[0] === "read") {
        pre = rec.nested(() => hooks.exists(list[0][1])) ? "ok" : "absent";
      }
    } catch (e) {
      rec.untrusted(`could not interpret fs arguments (${String(e)})`);
    }
    const done = (o: FsOutcome) => {
      for (const [acc, p] of list) rec.fs(acc, p, { outcome: pre ?? o });
    };
    const fromResult = (r: unknown): FsOutcome => {
      if (isExists) return r ? "ok" : "absent";
      if (result === "stat" && r === undefined) return "absent"; // statSync(p, { throwIfNoEntry: false })
      return (r as { isDirectory?: () => boolean })?.isDirectory?.() ? "dir" : "ok";
    };
    if (style === "callback" && typeof args.at(-1) === "function") {
      const cb = args.at(-1) as AnyFn;
      args[args.length - 1] = function (this: unknown, ...res: unknown[]) {
        if (isExists) done(res[0] ? "ok" : "absent");
        else done(res[0] ? errorOutcome(res[0]) : fromResult(res[1]));
        return cb.apply(this, res);
      };
      return rec.nested(() => orig.apply(this, args));
    }
    return observeCall(() => rec.nested(() => orig.apply(this, args)), {
      done,
      ok: fromResult,
    });
  };
}
