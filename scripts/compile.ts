/**
 * `deno task compile`: builds `dist/casher`, one Linux executable, with
 * `bun build --compile` (works offline).
 *
 * `--format=esm --splitting`: without splitting, Bun's bundle hoists every module's
 * `node:` imports to the top, so each start (a hit, even `--version`) loaded
 * `node:child_process`, `node:os` and the rest that only a miss uses; with it, a lazily
 * imported module's built-ins load with that module. `--bytecode` keeps the parse cost
 * off the start. Measured on the gcc hit: about 1 ms less per invocation.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { bunPath } from "./toolchain.ts";

mkdirSync("dist", { recursive: true });
execFileSync(
  bunPath(),
  [
    "build",
    "--compile",
    "--minify",
    "--bytecode",
    "--format=esm",
    "--splitting",
    "cli.ts",
    "--outfile",
    "dist/casher",
  ],
  { stdio: "inherit" },
);
