/**
 * The key of one call: function identity, canonically encoded arguments (by parameter
 * name), the values of `envVars`, the content of `depFiles`/`depRoots`, the declared
 * paths and the working directory (a relative path names another file elsewhere). A `file:` URL argument is hashed by content when it is a file, by path when it is
 * a directory (never recursively) or an output (declared or learned).
 *
 * The key material is a JSON string stored in each entry, so `diagnoseMisses` can compare
 * it field by field with the closest earlier entry.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { existsSync, statSync } from "node:fs";
import process from "node:process";
import { keyDigest } from "../hash/key_digest.ts";
import { encodeCanonical } from "../hash/canonical.ts";
import { type BytePath, displayPath, fsPath, isUnder } from "../path/byte_path.ts";
import type { Store } from "../store/store.ts";
import { expandInputDir } from "./expand_input_dir.ts";
import type { FunctionIdentity } from "./_identity.ts";
import type { NormalizedOptions, PathLike } from "./_options.ts";
import { pathArg } from "./_path_arg.ts";

/** The decoded key material (what `diagnoseMisses` compares). */
export interface KeyFields {
  readonly format: "casher-function/1";
  readonly module: string;
  /** `line:column` of the `cached()` call in `module`. */
  readonly site: string;
  readonly name: string;
  readonly source: string;
  readonly version: string;
  /** `[parameter, encoding]`: hex of the canonical bytes, or `#<digest>` when long. */
  readonly args: readonly (readonly [string, string])[];
  readonly env: readonly (readonly [string, string | null])[];
  readonly deps: readonly (readonly [string, string])[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly roots: readonly string[];
  /** The working directory: relative paths the function uses are resolved against it. */
  readonly cwd: string;
}

/** A call's key and the resolved paths it was built from. */
export interface CallKey {
  readonly key: string;
  readonly keyMaterial: string;
  readonly fields: KeyFields;
  readonly declaredInputs: readonly BytePath[];
  readonly declaredOutputs: readonly BytePath[];
  readonly outputRoots: readonly BytePath[];
  /** Paths of `file:` URL arguments (top level or nested), for learning outputs. */
  readonly urlPaths: readonly BytePath[];
}

/** What building a key needs besides the arguments. */
export interface CallKeyContext {
  readonly identity: FunctionIdentity;
  readonly sourceDigest: string;
  readonly options: NormalizedOptions;
  readonly store: Store;
  /** Paths learned as outputs of this function in earlier runs. */
  readonly learned: ReadonlySet<BytePath>;
  /** Called once per call for a plain string argument that names an existing path. */
  readonly onStringPath: (param: string) => void;
}

const INLINE_MAX = 96;

/**
 * Builds the key of a call. Throws `TypeError` naming the parameter for arguments that
 * cannot be part of a key (functions, symbols, cycles...).
 *
 * @example
 * ```ts ignore
 * const k = await callKey([file("data.csv"), 0.1], ctx);
 * ```
 */
export async function callKey(
  call: { self: unknown; args: readonly unknown[] },
  ctx: CallKeyContext,
): Promise<CallKey> {
  const { options, identity } = ctx;
  const abs = (p: PathLike) => pathArg(p)!;
  const declaredInputs =
    (typeof options.inputFiles === "function"
      ? checkedPaths(options.inputFiles(...call.args), "inputFiles")
      : options.inputFiles).map(abs);
  const declaredOutputs = options.outputFiles.map(abs);
  const outputRoots = options.outputRoots.map(abs);
  const isOutput = (p: BytePath) =>
    ctx.learned.has(p) || declaredOutputs.includes(p) || outputRoots.some((r) => isUnder(p, r));

  const named: [string, unknown][] = call.args.map((a, i) => [identity.params[i] ?? `arg${i}`, a]);
  if (call.self !== undefined) named.unshift(["this", call.self]);
  // Pass 1: collect file URLs (their digests need async I/O); pass 2 embeds them.
  const urlPaths: BytePath[] = [];
  for (const [name, value] of named) {
    encodeCanonical(value, { path: label(name), onFileUrl: (_u, p) => (urlPaths.push(p), "") });
    if (typeof value === "string") noteStringPath(value, name, { ctx });
  }
  const urlState = new Map<BytePath, string>();
  for (const p of urlPaths) {
    if (!urlState.has(p)) urlState.set(p, isOutput(p) ? "output" : await pathState(p, ctx.store));
  }
  const args = named.map(([name, value]) => {
    const bytes = encodeCanonical(value, {
      path: label(name),
      onFileUrl: (_u, p) => urlState.get(p) ?? "?",
    });
    const enc = bytes.byteLength <= INLINE_MAX
      ? Buffer.from(bytes).toString("hex")
      : `#${keyDigest(bytes)}`;
    return [name, enc] as const;
  });
  const deps: (readonly [string, string])[] = [];
  for (const p of options.depFiles.map(abs)) deps.push([p, await pathState(p, ctx.store)]);
  for (const root of options.depRoots) {
    for (const u of expandInputDir(root, "**")) {
      const p = pathArg(u)!;
      deps.push([p, await pathState(p, ctx.store)]);
    }
  }
  const fields: KeyFields = {
    format: "casher-function/1",
    module: identity.module,
    site: identity.site,
    name: identity.name,
    source: ctx.sourceDigest,
    version: identity.version,
    args,
    env: options.envVars.map((k) => [k, process.env[k] ?? null] as const),
    deps,
    inputs: [...declaredInputs].sort(),
    outputs: [...declaredOutputs].sort(),
    roots: [...outputRoots].sort(),
    cwd: process.cwd(),
  };
  const keyMaterial = JSON.stringify(fields);
  return {
    key: keyDigest(keyMaterial),
    keyMaterial,
    fields,
    declaredInputs,
    declaredOutputs,
    outputRoots,
    urlPaths,
  };
}

/**
 * Parses key material written by {@link callKey}, or `null` for anything else.
 *
 * @example
 * ```ts
 * import { parseKeyFields } from "./_call_key.ts";
 * parseKeyFields('["casher-command/1"]'); // null
 * ```
 */
export function parseKeyFields(keyMaterial: string): KeyFields | null {
  try {
    const v = JSON.parse(keyMaterial);
    return v?.format === "casher-function/1" ? v as KeyFields : null;
  } catch {
    return null;
  }
}

function label(name: string): string {
  return name === "this" ? "the receiver `this`" : `argument \`${name}\``;
}

/** A file by content digest, a directory by path only, a missing path as absent. */
async function pathState(p: BytePath, store: Store): Promise<string> {
  let isDir: boolean;
  try {
    isDir = statSync(fsPath(p)).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "absent";
    throw e;
  }
  if (isDir) return "dir";
  const state = await store.digestPath(p, "file");
  if (state.kind === "ok") return state.input.digest;
  if (state.kind === "missing") return "absent";
  throw new Error(
    `cannot hash ${displayPath(p)}: ${state.kind === "unreadable" ? state.reason : state.kind}`,
  );
}

function noteStringPath(
  value: string,
  name: string,
  { ctx }: { readonly ctx: CallKeyContext },
): void {
  if (value === "" || value.length > 4096 || value.includes("\0") || !/[/.]/.test(value)) return;
  try {
    if (existsSync(value)) ctx.onStringPath(name);
  } catch { /* not a path */ }
}

function checkedPaths(v: unknown, name: string): PathLike[] {
  const ok = (p: unknown) =>
    (typeof p === "string" && p !== "") || (p instanceof URL && p.protocol === "file:");
  if (!Array.isArray(v) || !v.every(ok)) {
    throw new TypeError(`cached(): option ${name}(...args) must return an array of paths`);
  }
  return v;
}
