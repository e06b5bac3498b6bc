/**
 * `expandInputDir(dir, glob)` and `file(path)`: the helpers that turn paths into `file:`
 * URLs, which the function face hashes by content.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { lstatSync, readdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import {
  type BytePath,
  bytePath,
  displayPath,
  fsPath,
  resolveBytePath,
} from "../path/byte_path.ts";
import { fileUrlPath } from "../hash/_canonical_url.ts";
import { globToRegExp } from "./_glob.ts";

/**
 * Every regular file under `dir` whose path relative to `dir` matches `glob`, as `file:`
 * URLs sorted by path bytes (a stable order). Pass the list as an argument so adding,
 * removing or editing a matching file changes the key, while other files do not.
 * Directories are walked recursively; symlinks to files count as files, symlinked
 * directories are not followed (no cycles). Throws when `dir` is not a directory.
 *
 * @example
 * ```ts
 * import { expandInputDir } from "./expand_input_dir.ts";
 * const csvs = expandInputDir("data", "**\/*.csv"); // [URL("file:///.../data/a.csv"), ...]
 * ```
 */
export function expandInputDir(dir: string | URL, glob: string): URL[] {
  const root = dir instanceof URL
    ? fileUrlPath(dir)
    : resolveBytePath(bytePath(process.cwd()), bytePath(dir));
  if (!statSync(fsPath(root)).isDirectory()) {
    throw new TypeError(`expandInputDir: ${displayPath(root)} is not a directory`);
  }
  const re = globToRegExp(glob);
  const found: BytePath[] = [];
  const walk = (abs: BytePath, rel: string) => {
    for (const e of listDir(abs)) {
      const childAbs = abs === "/" ? "/" + e.name : `${abs}/${e.name}`;
      const childRel = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.dir) walk(childAbs, childRel);
      else if ((e.file || (e.link && isFile(childAbs))) && re.test(displayPath(childRel))) {
        found.push(childAbs);
      }
    }
  };
  walk(root, "");
  found.sort();
  return found.map(toUrl);
}

/**
 * A `file:` URL for `path`, resolved against the current directory: the way to pass a
 * path argument that is hashed by content (a plain string is hashed as text).
 *
 * @example
 * ```ts
 * import { file } from "./expand_input_dir.ts";
 * file("data/train.csv").href; // "file:///<cwd>/data/train.csv"
 * ```
 */
export function file(path: string): URL {
  if (typeof path !== "string" || path === "") {
    throw new TypeError("file(path): path must be a non-empty string");
  }
  return pathToFileURL(resolve(path));
}

/** Entries of a directory with byte-exact names (Bun ignores `withFileTypes` with buffer names). */
function listDir(abs: BytePath): { name: BytePath; dir: boolean; file: boolean; link: boolean }[] {
  return readdirSync(fsPath(abs), { withFileTypes: true, encoding: "buffer" }).map((e: unknown) => {
    const d = e as {
      name?: Uint8Array;
      isDirectory?: () => boolean;
      isFile(): boolean;
      isSymbolicLink(): boolean;
    };
    const raw = typeof d.isDirectory === "function" ? d.name! : (e as Uint8Array);
    const name = Buffer.from(raw).toString("latin1");
    const st = typeof d.isDirectory === "function" ? d : lstatSync(fsPath(`${abs}/${name}`));
    return { name, dir: st.isDirectory!(), file: st.isFile(), link: st.isSymbolicLink() };
  });
}

function isFile(p: BytePath): boolean {
  try {
    return statSync(fsPath(p)).isFile();
  } catch {
    return false;
  }
}

/** A byte path as a `file:` URL, percent-escaping bytes so non-UTF-8 names survive. */
function toUrl(p: BytePath): URL {
  let s = "";
  for (const ch of p) {
    const b = ch.charCodeAt(0);
    s += b < 0x80 && /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/.test(ch)
      ? ch
      : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return new URL("file://" + s);
}
