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

function fail(e: unknown): number {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `casher: internal error: ${message}\n` +
      "casher: please report this with the command you ran (set CASHER_DEBUG=1 for a stack trace)\n",
  );
  if (process.env.CASHER_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  return 125;
}

if (import.meta.main) {
  // No top-level await: `bun build --compile --bytecode` does not allow it.
  main(process.argv.slice(2)).catch(fail).then((code) => process.exit(code));
}
