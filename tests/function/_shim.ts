/**
 * `test(name, fn)` that maps to `Deno.test` under Deno and to `bun:test` under Bun, so the
 * same test files run in both runtimes (`deno test -A tests/function/`, `bun test tests/function/`).
 *
 * @module
 */

/** A test body; may be async. */
export type TestFn = () => void | Promise<void>;

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const bunTest: ((name: string, fn: TestFn) => void) | undefined = g.Bun
  ? (await import(["bun", "test"].join(":"))).test
  : undefined;

/**
 * Registers a test in whichever runtime is running the file.
 *
 * @example
 * ```ts
 * import { test } from "./_shim.ts";
 * test("one plus one is two", () => {
 *   if (1 + 1 !== 2) throw new Error("math");
 * });
 * ```
 */
export function test(name: string, fn: TestFn): void {
  if (bunTest) bunTest(name, fn);
  else g.Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

/** True under Bun (some runtime-specific checks differ). */
export const isBun: boolean = Boolean(g.Bun);
