/**
 * What identifies a wrapped function across processes and runtimes: the URL of the module
 * that called `cached()`, the line and column of that call, the function's name, its
 * source text, and the user's `version`. The call site tells apart functions of one
 * module that share a name (every arrow passed straight to `cached()` is named `""`).
 * Parameter names are parsed from the source (best effort) so messages and diagnostics
 * can name arguments.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

/** A wrapped function's identity. */
export interface FunctionIdentity {
  /** `file:` URL (or other URL) of the module that called `cached()`; `""` when unknown. */
  readonly module: string;
  /** `line:column` of the `cached()` call in that module; `""` when unknown. */
  readonly site: string;
  readonly name: string;
  /**
   * What is digested into the key as the function's code: the defining module's file
   * content when the function's definition is found in it (the same bytes in every
   * runtime: Bun's `fn.toString()` is its transpiler's output, Deno's is not), else
   * `fn.toString()` (then entries are not shared between runtimes).
   */
  readonly source: string;
  readonly version: string;
  /** Parameter names, `arg<i>` where unknown. */
  readonly params: readonly string[];
}

const OWN_DIR = new URL(".", import.meta.url).href;

/**
 * The identity of `fn`, wrapped by the module found on the current stack.
 *
 * @example
 * ```ts
 * import { functionIdentity } from "./_identity.ts";
 * const id = functionIdentity(function add(a: number, b = 2) { return a + b; }, { version: "" });
 * id.params; // ["a", "b"]
 * ```
 */
export function functionIdentity(
  fn: (...args: never[]) => unknown,
  options: { version: string },
): FunctionIdentity {
  const text = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(text)) {
    throw new TypeError(
      `cached(): cannot see the code of ${fn.name || "this function"} (a bound or built-in ` +
        "function), so no edit of it could invalidate its entries: wrap the function itself, " +
        "and pass what was bound as arguments",
    );
  }
  const { module, site } = callerSite(new Error().stack ?? "");
  const moduleText = readModule(module);
  const source = moduleText !== null && definedIn(moduleText, fn.name)
    ? `module\0${moduleText}`
    : `function\0${text}`;
  return {
    module,
    site,
    name: fn.name,
    source,
    version: options.version,
    params: paramNames(text, fn.length),
  };
}

/**
 * Whether `text` appears to define a function or method called `name` (anonymous
 * functions are taken as defined inline). Imported functions are not found, so they are
 * keyed by their own `toString()`.
 *
 * @example
 * ```ts
 * import { definedIn } from "./_identity.ts";
 * definedIn("const f = cached(async function train(x) {})", "train"); // true
 * definedIn('import { train } from "./t.ts";\ncached(train);', "train"); // false
 * definedIn('import { load } from "./l.ts";\nload(2);', "load"); // false: a call, not a method
 * ```
 */
export function definedIn(text: string, name: string): boolean {
  if (name === "") return true;
  const n = name.replace(/[$]/g, "\\$");
  return new RegExp(
    `function\\s*\\*?\\s*${n}\\s*\\(|\\b${n}\\s*[:=]\\s*(?:async\\s*)?(?:function\\b|\\(|[A-Za-z_$][\\w$]*\\s*=>)|^\\s*(?:(?:static|async|public|private|protected|override)\\s+)*\\*?\\s*${n}\\s*\\([^;]*?\\)\\s*(?::[^;{=]+)?\\{`,
    "m",
  ).test(text);
}

function readModule(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  try {
    return readFileSync(fileURLToPath(url), "utf8");
  } catch {
    return null;
  }
}

/**
 * The first module on `stack` outside casher's function-face folder, as a URL.
 *
 * @example
 * ```ts
 * import { callerModule } from "./_identity.ts";
 * callerModule("Error\n    at main (file:///app/train.ts:3:9)"); // "file:///app/train.ts"
 * ```
 */
export function callerModule(stack: string): string {
  return callerSite(stack).module;
}

/**
 * The first frame on `stack` outside casher's function-face folder: its module URL and
 * `line:column`.
 *
 * @example
 * ```ts
 * import { callerSite } from "./_identity.ts";
 * callerSite("Error\n    at main (file:///app/train.ts:3:9)"); // { module: "file:///app/train.ts", site: "3:9" }
 * ```
 */
export function callerSite(stack: string): { module: string; site: string } {
  for (const line of stack.split("\n").slice(1)) {
    const m = /((?:file|https?|jsr|npm):\/\/?[^\s()]+?|\/[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (m === null) continue;
    const url = m[1].startsWith("/") ? pathToFileURL(m[1]).href : m[1];
    if (url.startsWith(OWN_DIR)) continue;
    return { module: url, site: `${m[2]}:${m[3]}` };
  }
  return { module: "", site: "" };
}

/**
 * Parameter names from a function's source (best effort: destructured or odd parameters
 * become `arg<i>`).
 *
 * @example
 * ```ts
 * import { paramNames } from "./_identity.ts";
 * paramNames("async function train(data, out, lr = 0.01) {}", 2); // ["data", "out", "lr"]
 * paramNames("(x, { y }) => x", 2); // ["x", "arg1"]
 * ```
 */
export function paramNames(source: string, length: number): string[] {
  const list = paramList(source);
  const names = list === null ? [] : splitTopLevel(list).map((p, i) => {
    const m = /^\s*(?:\.\.\.)?\s*([A-Za-z_$][\w$]*)\s*(?:[:=?]|$)/.exec(p);
    return m ? m[1] : `arg${i}`;
  });
  while (names.length < length) names.push(`arg${names.length}`);
  return names;
}

function paramList(source: string): string | null {
  const arrowOne = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(source);
  if (arrowOne) return arrowOne[1];
  const open = source.indexOf("(");
  if (open < 0) return null;
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return null;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(list.slice(start, i));
      start = i + 1;
    }
  }
  if (list.slice(start).trim() !== "") parts.push(list.slice(start));
  return parts;
}
