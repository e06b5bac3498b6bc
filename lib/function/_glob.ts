/**
 * A small glob matcher with the same semantics in every runtime (`path.matchesGlob`
 * differs between Deno and Bun on dotfiles). Patterns match `/`-separated relative paths:
 * `**` = any number of whole segments (incl. none), `*` = any run of characters within a
 * segment, `?` = one character, `[abc]`/`[a-z]`/`[!x]` = a class, `\x` = a literal `x`.
 * Dotfiles are matched like any other name.
 *
 * @module
 */

/**
 * Compiles a glob to an anchored RegExp. Throws TypeError for an empty pattern.
 *
 * @example
 * ```ts
 * import { globToRegExp } from "./_glob.ts";
 * globToRegExp("**\/*.csv").test("a/b/c.csv"); // true
 * globToRegExp("*.csv").test("a/c.csv"); // false
 * ```
 */
export function globToRegExp(glob: string): RegExp {
  if (glob === "") throw new TypeError('glob must not be empty: use "**/*" for every file');
  const segs = glob.split("/");
  let re = "";
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1;
    if (seg === "**") re += last ? ".*" : "(?:[^/]*/)*";
    else re += segment(seg) + (last ? "" : "/");
  });
  return new RegExp(`^${re}$`, "s");
}

function segment(seg: string): string {
  let out = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === "\\" && i + 1 < seg.length) out += escape(seg[++i]);
    else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 2);
      if (end === -1) out += "\\[";
      else {
        let body = seg.slice(i + 1, end);
        const neg = body.startsWith("!") || body.startsWith("^");
        if (neg) body = body.slice(1);
        out += `[${neg ? "^/" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
        i = end;
      }
    } else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
