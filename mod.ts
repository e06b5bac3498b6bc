/**
 * casher: cache the results and the side effects of commands and functions.
 *
 * @module
 */
export { CasherError, type CasherErrorCode, isCasherError } from "./lib/errors/casher_error.ts";
export { type Config, type ConfigOptions, configure, getConfig } from "./lib/config/mod.ts";
