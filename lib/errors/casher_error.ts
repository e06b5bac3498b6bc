/**
 * casher's single error type: a stable `code` plus a human message that says what
 * failed, the state, and what to do.
 *
 * @module
 */

/** Every failure casher itself can report, as a stable string code. */
export type CasherErrorCode =
  | "config-invalid"
  | "cache-unavailable"
  | "schema-unsupported"
  | "blob-corrupt"
  | "blob-missing"
  | "output-conflict"
  | "path-unsupported"
  | "index-failed"
  | "lock-timeout"
  | "strace-missing"
  | "ptrace-refused"
  | "trace-failed"
  | "value-unencodable"
  | "usage"
  | "internal";

/**
 * An error raised by casher, carrying a {@link CasherErrorCode} and an optional cause.
 *
 * @example
 * ```ts
 * import { CasherError } from "./casher_error.ts";
 * try {
 *   throw new CasherError("config-invalid", "CASHER_MAX_CACHE_BYTES=12x is not a size: use 1073741824, 512M or 10G");
 * } catch (e) {
 *   if (e instanceof CasherError && e.code === "config-invalid") console.log(e.message);
 * }
 * ```
 */
export class CasherError extends Error {
  /** The stable error code. */
  readonly code: CasherErrorCode;

  /** Creates an error with a code, a message and an optional cause. */
  constructor(code: CasherErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CasherError";
    this.code = code;
  }
}

/**
 * True when `e` is a {@link CasherError}, optionally with the given code.
 *
 * @example
 * ```ts
 * import { CasherError, isCasherError } from "./casher_error.ts";
 * console.log(isCasherError(new CasherError("usage", "bad flag"), "usage")); // true
 * ```
 */
export function isCasherError(e: unknown, code?: CasherErrorCode): e is CasherError {
  return e instanceof CasherError && (code === undefined || e.code === code);
}
