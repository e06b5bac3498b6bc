#!/usr/bin/env -S deno run -A
/**
 * The `casher` command line. Parsing and dispatch live in `lib/cli/`; this file only
 * runs them and exits with their code.
 *
 * @example
 * ```sh
 * deno run -A cli.ts -- make -j4
 * ```
 *
 * @module
 */
import process from "node:process";
import { main } from "./lib/cli/main.ts";

if (import.meta.main) {
  let code: number;
  try {
    code = await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`casher: internal error: ${(e as Error)?.stack ?? e}\n`);
    code = 125;
  }
  process.exit(code);
}
