/**
 * Paths named on a command line (`sed -i f.txt`, `gcc -c m.c`, `--config=app.toml`):
 * likely inputs, fingerprinted before the command starts so their pre-run content is
 * known even when the command rewrites them at once. Only a hint: a path is recorded as an
 * input only if the trace shows the command reading it.
 *
 * @module
 */
import { resolve } from "node:path";
import { type BytePath, bytePath } from "../path/byte_path.ts";
import { isSystemPath } from "../trace/path_filter.ts";

const MAX_TOKENS = 256;

/**
 * Absolute paths for the argv tokens (and `--flag=value` values) that could name files, and
 * for the words of a token that holds a script (`sh -c "sed -i s/a/b/ f.txt"`).
 *
 * @example
 * ```ts
 * import { argvPaths } from "./argv_paths.ts";
 * argvPaths(["sed", "-i", "s/a/b/", "f.txt"], { cwd: "/w" }); // includes "/w/f.txt"
 * ```
 */
export function argvPaths(argv: readonly string[], options: { cwd: string }): BytePath[] {
  const out = new Set<BytePath>();
  const tokens: string[] = [];
  for (const arg of argv) {
    if (tokens.length >= MAX_TOKENS) break;
    tokens.push(arg);
    // A script given as one word (`sh -c 'sed -i s/a/b/ conf.txt'`) names its files inside.
    if (/\s/.test(arg)) {
      for (const word of arg.split(/[\s;|&<>()'"`]+/)) if (word !== "") tokens.push(word);
    }
  }
  for (const token of tokens.slice(0, MAX_TOKENS)) {
    const value = token.startsWith("-") && token.includes("=")
      ? token.slice(token.indexOf("=") + 1)
      : token;
    if (value === "" || value.startsWith("-") || value.length > 4096 || value.includes("\n")) {
      continue;
    }
    if (value.includes("\0")) continue;
    const path = bytePath(resolve(options.cwd, value));
    // /proc, /sys and /dev are never inputs, and reading them can block or never end.
    if (!isSystemPath(path)) out.add(path);
  }
  return [...out];
}
