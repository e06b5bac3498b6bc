/**
 * The options of `cached()`, validated and normalized once, when the function is wrapped.
 *
 * @module
 */
import { type ConfigOptions, parseBytes, parseDuration } from "../config/mod.ts";
import type { ReplayOutputs } from "../engine/types.ts";

/** A path as `cached()` options accept it: a string (resolved against cwd) or a `file:` URL. */
export type PathLike = string | URL;

/** Options of `cached(fn, options)` (all optional). */
export interface CachedOptions<A extends unknown[] = unknown[]> {
  /** Cache directory (else `configure()`, else `CASHER_CACHE_DIR`; none = caching disabled). */
  cacheDir?: string;
  /** Byte budget of the cache directory: a number or a size such as `"10G"`. */
  maxCacheBytes?: number | string;
  /** Files the function depends on besides its arguments: a list, or a function of the call's arguments. */
  inputFiles?: readonly PathLike[] | ((...args: A) => readonly PathLike[]);
  /** Files the function writes: always captured and restored; an argument naming one is keyed by path. */
  outputFiles?: readonly PathLike[];
  /** Only writes under these directories are recorded as outputs (others are ignored). */
  outputRoots?: readonly PathLike[];
  /** On a hit, restore outputs always (`true`, default), never (`false`) or when missing. */
  replayOutputs?: boolean | "if-missing";
  /** Environment variables whose values are part of the key. */
  envVars?: readonly string[];
  /** Files whose content is part of the function's identity (e.g. helper modules). */
  depFiles?: readonly PathLike[];
  /** Directories whose every file (recursively) is part of the function's identity. */
  depRoots?: readonly PathLike[];
  /** Log what differs from the closest earlier entry on a miss. */
  diagnoseMisses?: boolean;
  /** Run the function in a traced child process (not supported by the in-process mode yet). */
  subprocess?: boolean;
  /** Entry lifetime: ms, or a duration such as `"12h"`. */
  ttl?: number | string;
  /** A string you bump to invalidate every entry of this function. */
  version?: string;
}

/** The validated options. */
export interface NormalizedOptions {
  readonly config: ConfigOptions;
  readonly inputFiles: readonly PathLike[] | ((...args: unknown[]) => readonly PathLike[]);
  readonly outputFiles: readonly PathLike[];
  readonly outputRoots: readonly PathLike[];
  readonly replayOutputs: ReplayOutputs;
  readonly envVars: readonly string[];
  readonly depFiles: readonly PathLike[];
  readonly depRoots: readonly PathLike[];
  readonly diagnoseMisses: boolean;
  readonly subprocess: boolean;
  readonly ttlMs: number | null;
  readonly version: string;
}

const KNOWN = new Set([
  "cacheDir",
  "maxCacheBytes",
  "inputFiles",
  "outputFiles",
  "outputRoots",
  "replayOutputs",
  "envVars",
  "depFiles",
  "depRoots",
  "diagnoseMisses",
  "subprocess",
  "ttl",
  "version",
]);

/**
 * Validates `options`; throws `TypeError` (naming the option) or `RangeError`.
 *
 * @example
 * ```ts
 * import { normalizeOptions } from "./_options.ts";
 * normalizeOptions({ replayOutputs: "if-missing" }).replayOutputs; // "if-missing"
 * ```
 */
export function normalizeOptions(options: CachedOptions<never[]> | undefined): NormalizedOptions {
  const o = (options ?? {}) as CachedOptions;
  if (typeof o !== "object" || o === null) {
    throw new TypeError("cached(fn, options): options must be an object");
  }
  for (const name of Object.keys(o)) {
    if (!KNOWN.has(name)) throw new TypeError(`cached(): unknown option "${name}"`);
  }
  const config: ConfigOptions = {};
  if (o.cacheDir !== undefined) config.cacheDir = str(o.cacheDir, "cacheDir");
  if (o.maxCacheBytes !== undefined) {
    config.maxCacheBytes = typeof o.maxCacheBytes === "string"
      ? parseBytes(o.maxCacheBytes, "maxCacheBytes")
      : o.maxCacheBytes;
    if (!Number.isSafeInteger(config.maxCacheBytes) || config.maxCacheBytes <= 0) {
      throw new RangeError("cached(): option maxCacheBytes must be a positive integer");
    }
  }
  const inputFiles = typeof o.inputFiles === "function"
    ? o.inputFiles as (...args: unknown[]) => readonly PathLike[]
    : paths(o.inputFiles, "inputFiles");
  return {
    config,
    inputFiles,
    outputFiles: paths(o.outputFiles, "outputFiles"),
    outputRoots: paths(o.outputRoots, "outputRoots"),
    replayOutputs: replayMode(o.replayOutputs),
    envVars: strings(o.envVars, "envVars"),
    depFiles: paths(o.depFiles, "depFiles"),
    depRoots: paths(o.depRoots, "depRoots"),
    diagnoseMisses: bool(o.diagnoseMisses, "diagnoseMisses"),
    subprocess: bool(o.subprocess, "subprocess"),
    ttlMs: ttl(o.ttl),
    version: o.version === undefined ? "" : str(o.version, "version"),
  };
}

function replayMode(v: unknown): ReplayOutputs {
  if (v === undefined || v === true) return "always";
  if (v === false) return "never";
  if (v === "if-missing") return "if-missing";
  throw new TypeError(
    `cached(): option replayOutputs must be true, false or "if-missing", got ${String(v)}`,
  );
}

function ttl(v: unknown): number | null {
  if (v === undefined) return null;
  if (typeof v === "string") return parseDuration(v, "ttl");
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return v;
  throw new TypeError("cached(): option ttl must be a positive number of ms or a duration string");
}

function str(v: unknown, name: string): string {
  if (typeof v !== "string" || v === "") {
    throw new TypeError(`cached(): option ${name} must be a non-empty string`);
  }
  return v;
}

function bool(v: unknown, name: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new TypeError(`cached(): option ${name} must be a boolean`);
  return v;
}

function strings(v: unknown, name: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    throw new TypeError(`cached(): option ${name} must be an array of strings`);
  }
  return [...v];
}

function paths(v: unknown, name: string): PathLike[] {
  if (v === undefined) return [];
  const ok = (p: unknown) =>
    (typeof p === "string" && p !== "") || (p instanceof URL && p.protocol === "file:");
  if (!Array.isArray(v) || !v.every(ok)) {
    throw new TypeError(
      `cached(): option ${name} must be an array of paths (strings or file: URLs)`,
    );
  }
  return [...v];
}
