/**
 * `cached(fn, options)`: the library face, in-process mode. A call on a miss runs `fn`
 * with its file I/O and output tracked (best effort, see `mod.ts` of this folder) and
 * stores its value, what it printed, the files it wrote and the files it read; a later
 * call with equal arguments returns the value, replays the output and restores the files
 * without running `fn`, as long as nothing it read changed. Lookup, replay, single-flight
 * and storage are the shared engine's (`lib/engine/run_work.ts`).
 *
 * casher's own failures never change what `fn` returns or throws: the call falls back to
 * running `fn` directly. Exceptions are never cached.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import process from "node:process";
import type { Chunk } from "../capture/chunk_log.ts";
import { processTarget, type ReplayTarget } from "../capture/replay.ts";
import { decodeValue } from "../codec/mod.ts";
import { type Config, getConfig } from "../config/mod.ts";
import { runWork } from "../engine/run_work.ts";
import type { Outcome } from "../engine/types.ts";
import { keyDigest } from "../hash/key_digest.ts";
import { logger } from "../log/logger.ts";
// The library logs through LogTape (the CLI installs its own sink instead).
import "../log/logtape_backend.ts";
import { type BytePath, bytePath } from "../path/byte_path.ts";
import type { Entry } from "../store/types.ts";
import { metaProbeOf } from "../store/meta_digest.ts";
import type { Effects, MetaProbe, ObservedInput } from "../trace/effects.ts";
import { type CallKey, callKey } from "./_call_key.ts";
import { explainMiss } from "./_diagnose.ts";
import { executeCall, type RanCall } from "./_execute_call.ts";
import { type FunctionIdentity, functionIdentity } from "./_identity.ts";
import { type CachedOptions, type NormalizedOptions, normalizeOptions } from "./_options.ts";
import { StoreRegistry } from "./_store_registry.ts";
import { WarnOnce } from "./_warn_once.ts";
import { isTracking, recordNested, untracked } from "./io_tracker.ts";

export type { CachedOptions, PathLike } from "./_options.ts";

const log = logger("function");

/** Process-wide state of the function face, resettable by {@link resetCached}. */
const face = { stores: new StoreRegistry(), warnings: new WarnOnce() };

/** An async function with the parameters of `F` resolving to its (awaited) result. */
export type Cached<A extends unknown[], R> = (...args: A) => Promise<Awaited<R>>;

// deno-lint-ignore no-explicit-any
type AnyFn = (this: any, ...args: any[]) => any;

/**
 * Wraps `fn` so equal calls are served from the cache (see the module doc). Also usable
 * as a standard (TC39) method decorator: `@cached()`, `@cached({ ... })` or `@cached`.
 *
 * @example
 * ```ts ignore
 * import { cached, configure, file } from "@casher/core";
 * configure({ cacheDir: ".cache/casher" });
 * const train = cached(async function train(data: URL, lr = 0.01) {
 *   const text = await Deno.readTextFile(data);
 *   console.log("training on", text.length, "bytes");
 *   return { loss: lr * text.length };
 * }, { version: "1" });
 * await train(file("data.csv")); // runs, prints, stores
 * await train(file("data.csv")); // replays the print, returns the stored value
 * ```
 */
export function cached<F extends AnyFn>(
  fn: F,
  options?: CachedOptions<Parameters<F>>,
): Cached<Parameters<F>, ReturnType<F>>;
/** Decorator factory form: `@cached({ version: "2" }) method(...) {}`. */
export function cached(
  options?: CachedOptions,
): <F extends AnyFn>(method: F, context: ClassMethodDecoratorContext) => F;
export function cached(first?: unknown, second?: unknown): unknown {
  if (typeof first === "function") {
    if (isMethodContext(second)) return wrap(first as AnyFn, {}, { name: String(second.name) });
    return wrap(first as AnyFn, second as CachedOptions | undefined, { name: first.name });
  }
  const options = first as CachedOptions | undefined;
  normalizeOptions(options); // validate at decoration time
  return (method: AnyFn, context: ClassMethodDecoratorContext) => {
    if (context?.kind !== "method") {
      throw new TypeError("@cached() decorates class methods only");
    }
    return wrap(method, options, { name: String(context.name) });
  };
}

/**
 * Closes every store the function face opened and forgets its warn-once state and learned
 * outputs (for tests, or before deleting a cache directory).
 *
 * @example
 * ```ts
 * import { resetCached } from "./cached.ts";
 * resetCached();
 * ```
 */
export function resetCached(): void {
  face.stores.closeAll();
  face.warnings.reset();
}

function isMethodContext(v: unknown): v is ClassMethodDecoratorContext {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "method" &&
    "name" in v;
}

function wrap(
  fn: AnyFn,
  rawOptions: CachedOptions | undefined,
  { name }: { readonly name: string },
): AnyFn {
  const options = normalizeOptions(rawOptions);
  const identity = { ...functionIdentity(fn, { version: options.version }), name };
  noteSite(fn, identity);
  const wrapper = {
    async [name](this: unknown, ...args: unknown[]) {
      return await invoke(fn, { self: this, args, identity, options });
    },
  }[name];
  Object.defineProperty(wrapper, "name", { value: name, configurable: true });
  Object.defineProperty(wrapper, "length", { value: fn.length, configurable: true });
  return wrapper;
}

/** The function first wrapped at each call site, to notice a factory of closures. */
const wrappedAt = new Map<string, AnyFn>();

/**
 * Warns (once per site) when one `cached()` call site wraps a second function object: a
 * factory (`(k) => cached((x) => x * k)`) whose closures share a key, since the values
 * they capture are not part of it.
 */
function noteSite(fn: AnyFn, identity: FunctionIdentity): void {
  const site = `${identity.module}:${identity.site}`;
  const first = wrappedAt.get(site);
  if (first === undefined) wrappedAt.set(site, fn);
  else if (first !== fn) {
    face.warnings.warn(
      `site:${site}`,
      "cached() at {site} wrapped another function: if it uses variables captured from an " +
        "enclosing function, their values are not part of the key; pass them as arguments",
      { site },
    );
  }
}

interface Call {
  readonly self: unknown;
  readonly args: unknown[];
  readonly identity: FunctionIdentity;
  readonly options: NormalizedOptions;
}

async function invoke(fn: AnyFn, call: Call): Promise<unknown> {
  const direct = () => fn.apply(call.self, call.args);
  const w = face.warnings;
  if (process.platform !== "linux") {
    w.warn("platform", "casher caches only on Linux; cached() calls run uncached here");
    return await direct();
  }
  const config = getConfig(call.options.config);
  if (config.cacheDir === null) {
    w.warn(
      "disabled",
      "casher is disabled: no cache directory (pass cacheDir, call configure({ cacheDir }) " +
        "or set CASHER_CACHE_DIR); cached() calls run uncached",
    );
    return await direct();
  }
  if (call.options.subprocess) {
    w.warn(
      "subprocess",
      "cached(): subprocess: true is not available in this build; those calls run uncached",
    );
    return await direct();
  }
  const state: { ran?: RanCall; keyError?: unknown } = {};
  const outer = isTracking();
  let done: { value: unknown; nested: { effects: Effects; chunks: readonly Chunk[] } };
  try {
    done = await untracked(() => throughCache(fn, call, { config, state }));
  } catch (e) {
    if (state.keyError !== undefined) throw state.keyError; // the caller's bad argument
    if (state.ran === undefined) {
      log.warn("casher failed before {name} ran ({error}); calling it uncached", {
        name: call.identity.name,
        error: String(e),
      });
      return await direct();
    }
    log.warn("casher failed after {name} ran ({error}); its result is passed through", {
      name: call.identity.name,
      error: String(e),
    });
    done = { value: undefined, nested: state.ran };
  }
  if (outer) recordNested(done.nested.effects, done.nested.chunks);
  const ran = state.ran?.outcome;
  if (ran?.kind === "error") throw ran.error;
  return ran?.kind === "value" ? ran.value : done.value;
}

const sourceDigests = new WeakMap<FunctionIdentity, string>();

/**
 * Looks `call` up and runs `fn` on a miss, with the store of `config`; `state` receives
 * the run (once `fn` ran) and the caller's bad-argument error, for `invoke`'s fallback.
 */
async function throughCache(
  fn: AnyFn,
  call: Call,
  opts: { readonly config: Config; readonly state: { ran?: RanCall; keyError?: unknown } },
): Promise<{ value: unknown; nested: { effects: Effects; chunks: readonly Chunk[] } }> {
  const { config, state } = opts;
  const { identity, options } = call;
  const stores = face.stores;
  const store = stores.store(config);
  const fnId = `${identity.module}#${identity.name}@${identity.site}`;
  let digest = sourceDigests.get(identity);
  if (digest === undefined) {
    digest = keyDigest(identity.source);
    sourceDigests.set(identity, digest);
  }
  const keyCtx = (learned: ReadonlySet<BytePath>) => ({
    identity,
    sourceDigest: "",
    options,
    store,
    learned,
    onStringPath: (param: string) =>
      face.warnings.warn(
        `string-path:${fnId}:${param}`,
        "cached {name}: argument `{param}` is a string naming an existing path; it is keyed " +
          "as text, not by content: pass file(path) to key it by the file's content",
        { name: identity.name, param },
      ),
  });
  const sourceDigest = digest;
  const keyOf = async (learned: ReadonlySet<BytePath>): Promise<CallKey> => {
    try {
      return await callKey(call, { ...keyCtx(learned), sourceDigest });
    } catch (e) {
      if (e instanceof TypeError) state.keyError = e;
      throw e;
    }
  };
  const t0 = performance.now();
  const key = await keyOf(stores.learned(config, fnId));
  log.debug("key {name}: {ms} ms", {
    name: identity.name,
    ms: (performance.now() - t0).toFixed(2),
  });
  const replayed: Chunk[] = [];
  const target: ReplayTarget = {
    write(fd, bytes) {
      replayed.push({ fd, bytes });
      processTarget.write(fd, bytes);
    },
  };
  const outcome = await runWork({
    key: key.key,
    keyMaterial: key.keyMaterial,
    label: identity.name || "(anonymous function)",
    declaredInputs: key.declaredInputs,
    declaredOutputs: key.declaredOutputs,
    execute: (ctx) =>
      executeCall(() => fn.apply(call.self, call.args), ctx, {
        key,
        cacheRoot: bytePath(store.layout.root),
        onRan: (ran) => (state.ran = ran),
        onUnencodable: (typeName) =>
          face.warnings.warn(
            `value:${typeName}`,
            "cached(): a {typeName} return value cannot be cached; it is returned uncached",
            { typeName },
          ),
        learn: async (paths) =>
          stores.learn(config, fnId, { paths }) ? await keyOf(stores.learned(config, fnId)) : null,
      }),
  }, {
    store,
    policy: {
      replayOutputs: options.replayOutputs,
      force: false,
      store: true,
      ttlMs: options.ttlMs,
    },
    lockTimeoutMs: config.lockTimeoutMs,
    target,
  });
  return await settle(outcome, { store: { key, store }, options, identity, state, replayed });
}

async function settle(
  outcome: Outcome,
  c: {
    store: { key: CallKey; store: Parameters<typeof explainMiss>[0] };
    options: NormalizedOptions;
    identity: FunctionIdentity;
    state: { ran?: RanCall };
    replayed: Chunk[];
  },
): Promise<{ value: unknown; nested: { effects: Effects; chunks: readonly Chunk[] } }> {
  if (outcome.kind === "hit") {
    if (outcome.result.kind !== "value") {
      throw new Error("the entry holds an exit code, not a function value");
    }
    const value = await decodeValue(outcome.result.bytes);
    return { value, nested: { effects: entryEffects(outcome.entry), chunks: c.replayed } };
  }
  if (c.options.diagnoseMisses) {
    explainMiss(c.store.store, {
      fields: c.store.key.fields,
      reason: outcome.reason,
      label: c.identity.name,
    });
  }
  const ran = c.state.ran;
  if (ran === undefined) throw new Error("the engine reported a miss without running the call");
  return { value: undefined, nested: ran };
}

/** The probe a recorded `meta` digest repeats (a readlink carries its target). */
function metaProbeFrom(digest: string): MetaProbe {
  const probe = metaProbeOf(digest);
  if (probe === "readlink") {
    return { kind: "readlink", target: Buffer.from(digest.slice(2), "hex").toString("latin1") };
  }
  if (probe === "size") return { kind: "size", size: Number(digest.slice(2)) };
  if (probe === "nondir" || probe === "emptydir") {
    return { kind: "removed", dir: probe === "emptydir" };
  }
  return { kind: probe ?? "stat" };
}

function entryEffects(entry: Entry): Effects {
  return {
    trust: { kind: "trusted" },
    inputs: entry.inputs.map((i): ObservedInput =>
      i.kind === "meta"
        ? { path: i.path, kind: "meta", probe: metaProbeFrom(i.digest) }
        : { path: i.path, kind: i.kind === "exec" ? "file" : i.kind }
    ),
    outputs: entry.outputs.map((o) => ({ path: o.path, kind: o.kind })),
    deletions: [...entry.deletions],
  };
}
