/**
 * The one place the Bun version is pinned (the Deno version is pinned in README.md's two
 * commands, which `.ci/run` executes verbatim). Resolves a Bun binary through npm.
 *
 * @module
 */
import { execFileSync } from "node:child_process";

/** The pinned Bun release used to build the single binary and to run the Bun test suite. */
export const BUN_VERSION = "1.4.4";

let cached: string | undefined;

/**
 * Absolute path of the pinned Bun executable, installing it through `npx` on first use.
 *
 * @example
 * ```ts
 * import { bunPath } from "./toolchain.ts";
 * console.log(bunPath());
 * ```
 */
export function bunPath(): string {
  cached ??= execFileSync(
    "npx",
    ["-y", `bun@${BUN_VERSION}`, "-e", "process.stdout.write(process.execPath)"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
  ).trim();
  return cached;
}
