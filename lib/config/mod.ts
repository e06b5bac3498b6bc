/**
 * Configuration: `configure()`, `getConfig()` and unit parsing.
 *
 * @module
 */
export * from "./config.ts";
export * from "./units.ts";
