/**
 * `deno task compile`: builds `dist/casher`, one Linux executable, with
 * `bun build --compile` (works offline).
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { bunPath } from "./toolchain.ts";

mkdirSync("dist", { recursive: true });
execFileSync(
  bunPath(),
  ["build", "--compile", "--minify", "--bytecode", "cli.ts", "--outfile", "dist/casher"],
  { stdio: "inherit" },
);
