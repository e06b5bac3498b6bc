/**
 * The runtime seam. Only files under `lib/runtime/` may reference `Deno.*` or `Bun.*`.
 *
 * @module
 */
export * from "./runtime.ts";
export * from "./precise_stat.ts";
export * from "./mkfifo.ts";
export * from "./fast_stat.ts";
export * from "./native_hash.ts";
export * from "./terminal.ts";
export * from "./spawn.ts";
export * from "./inherited_fds.ts";
export * from "./console_format.ts";
