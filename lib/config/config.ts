/**
 * Process-wide configuration: `configure()` and `getConfig()`.
 *
 * Precedence, highest first: per-call option > `configure()` > environment
 * (`CASHER_CACHE_DIR`, `CASHER_MAX_CACHE_BYTES`) > default.
 *
 * @module
 */
import process from "node:process";
import { parseBytes } from "./units.ts";

/** Default byte budget of a cache directory: 32 GiB. */
export const DEFAULT_MAX_CACHE_BYTES = 34_359_738_368;

/** Default number of candidate entries kept per key. */
export const DEFAULT_MAX_CANDIDATES = 8;

/** Default time a caller waits for another process computing the same key. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;

/** Settings a caller may give to `configure()` or per call. */
export interface ConfigOptions {
  /** Where the cache lives. `null` disables the library face. */
  cacheDir?: string | null;
  /** Byte budget; accepts a number or a size string such as `"10G"`. */
  maxCacheBytes?: number | string;
  /** Candidate entries kept per key (default 8). */
  maxCandidates?: number;
  /** How long to wait on another process computing the same key, in ms. */
  lockTimeoutMs?: number;
}

/** The effective configuration, fully resolved. */
export interface Config {
  /** Cache directory, or `null` when none is configured. */
  readonly cacheDir: string | null;
  /** Byte budget for the cache directory. */
  readonly maxCacheBytes: number;
  /** Candidate entries kept per key. */
  readonly maxCandidates: number;
  /** Single-flight wait limit in ms. */
  readonly lockTimeoutMs: number;
}

const KNOWN = new Set(["cacheDir", "maxCacheBytes", "maxCandidates", "lockTimeoutMs"]);

/** Holder of the one process-wide setting; `resetConfig()` clears it (for tests). */
const state: { configured: ConfigOptions } = { configured: {} };

/**
 * Sets process-wide defaults, merged over earlier calls. Validates eagerly.
 *
 * @example
 * ```ts
 * import { configure, getConfig } from "./config.ts";
 * configure({ cacheDir: "/tmp/casher-cache", maxCacheBytes: "10G" });
 * getConfig().maxCacheBytes; // 10737418240
 * ```
 */
export function configure(options: ConfigOptions): Config {
  checkKnown(options);
  const next = { ...state.configured, ...options };
  const resolved = resolveConfig(next, {});
  state.configured = next;
  return resolved;
}

/**
 * The effective configuration, with per-call `overrides` applied on top.
 *
 * @example
 * ```ts
 * import { getConfig } from "./config.ts";
 * getConfig({ cacheDir: "/tmp/other" }).cacheDir; // "/tmp/other"
 * ```
 */
export function getConfig(overrides: ConfigOptions = {}): Config {
  checkKnown(overrides);
  return resolveConfig(state.configured, overrides);
}

/**
 * Forgets everything given to `configure()`.
 *
 * @example
 * ```ts
 * import { resetConfig } from "./config.ts";
 * resetConfig();
 * ```
 */
export function resetConfig(): void {
  state.configured = {};
}

function checkKnown(options: ConfigOptions): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError("casher: configuration must be an object");
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) {
      throw new TypeError(`casher: unknown configuration option "${name}"`);
    }
  }
}

function resolveConfig(configured: ConfigOptions, overrides: ConfigOptions): Config {
  const env = process.env;
  const pick = <K extends keyof ConfigOptions>(k: K) =>
    overrides[k] !== undefined ? overrides[k] : configured[k];
  const cacheDir = pick("cacheDir");
  const maxBytes = pick("maxCacheBytes");
  return {
    cacheDir: cacheDir !== undefined ? cacheDir : (env.CASHER_CACHE_DIR || null),
    maxCacheBytes: maxBytes !== undefined
      ? toBytes(maxBytes, "maxCacheBytes")
      : env.CASHER_MAX_CACHE_BYTES
      ? parseBytes(env.CASHER_MAX_CACHE_BYTES, "CASHER_MAX_CACHE_BYTES")
      : DEFAULT_MAX_CACHE_BYTES,
    maxCandidates: positiveInt(pick("maxCandidates") ?? DEFAULT_MAX_CANDIDATES, "maxCandidates"),
    lockTimeoutMs: positiveInt(pick("lockTimeoutMs") ?? DEFAULT_LOCK_TIMEOUT_MS, "lockTimeoutMs"),
  };
}

function toBytes(value: number | string, source: string): number {
  return typeof value === "number" ? positiveInt(value, source) : parseBytes(value, source);
}

function positiveInt(value: number, source: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`casher: ${source} must be a positive integer, got ${value}`);
  }
  return value;
}
