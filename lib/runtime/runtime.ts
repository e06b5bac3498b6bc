/**
 * The runtime seam: the only module family allowed to touch `Deno.*` or `Bun.*`.
 *
 * Everything else in casher uses `node:` built-ins, which both Deno and Bun provide.
 * This file answers the few questions where the two runtimes differ.
 *
 * @module
 */

/** The JavaScript runtime casher is executing under. */
export type RuntimeName = "deno" | "bun" | "node";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/**
 * Which runtime this process is.
 *
 * @example
 * ```ts
 * import { runtimeName } from "./runtime.ts";
 * console.log(runtimeName()); // "deno" under `deno run`, "bun" in the compiled binary
 * ```
 */
export function runtimeName(): RuntimeName {
  if (typeof g.Bun !== "undefined") return "bun";
  if (typeof g.Deno !== "undefined") return "deno";
  return "node";
}

/**
 * Whether `node:fs` passes non-UTF-8 path bytes through unchanged.
 *
 * Bun and Node do; Deno replaces invalid UTF-8 bytes with U+FFFD, so under Deno
 * a path that is not valid UTF-8 cannot be restored exactly and a run touching
 * one must not be cached.
 *
 * @example
 * ```ts
 * import { bytePathsSupported } from "./runtime.ts";
 * if (!bytePathsSupported()) console.log("non-UTF-8 paths are not cacheable here");
 * ```
 */
export function bytePathsSupported(): boolean {
  return runtimeName() !== "deno";
}

/**
 * The runtime's version string, for `--version` and diagnostics.
 *
 * @example
 * ```ts
 * import { runtimeVersion } from "./runtime.ts";
 * console.log(runtimeVersion()); // e.g. "deno 2.9.6"
 * ```
 */
export function runtimeVersion(): string {
  switch (runtimeName()) {
    case "bun":
      return `bun ${g.Bun.version}`;
    case "deno":
      return `deno ${g.Deno.version.deno}`;
    case "node":
      return `node ${g.process?.version ?? "?"}`;
  }
}
