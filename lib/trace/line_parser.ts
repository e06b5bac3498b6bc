/**
 * Splits one line of `strace -f -o` output into its shape: a complete call, the
 * first half of an interrupted call (`<unfinished ...>`), its second half
 * (`<... name resumed>`), a process exit/kill, an exec takeover, or a signal.
 * Anything else is `invalid`, never silently dropped.
 *
 * @module
 */

/** One trace line, classified by shape. `body` texts start right after `name(`. */
export type TraceLine =
  | { readonly kind: "call"; readonly pid: number; readonly name: string; readonly body: string }
  | {
    readonly kind: "unfinished";
    readonly pid: number;
    readonly name: string;
    readonly partial: string;
  }
  | { readonly kind: "resumed"; readonly pid: number; readonly name: string; readonly rest: string }
  | { readonly kind: "exited"; readonly pid: number; readonly code: number }
  | { readonly kind: "killed"; readonly pid: number; readonly signal: string }
  | { readonly kind: "superseded"; readonly pid: number; readonly by: number }
  | { readonly kind: "signal"; readonly pid: number }
  | { readonly kind: "blank" }
  | { readonly kind: "invalid"; readonly reason: string };

const UNFINISHED = " <unfinished ...>";

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
}

function excerpt(line: string): string {
  return JSON.stringify(line.length > 160 ? line.slice(0, 160) + "..." : line);
}

function parseMarker(
  pid: number,
  text: string,
  { line }: { readonly line: string },
): TraceLine {
  // "+++ exited with N +++" | "+++ killed by SIGX (core dumped) +++" | "+++ superseded by execve in pid N +++"
  if (!text.endsWith(" +++")) return { kind: "invalid", reason: `unknown marker ${excerpt(line)}` };
  const inner = text.slice(4, -4);
  if (inner.startsWith("exited with ")) {
    const code = Number(inner.slice(12));
    if (Number.isInteger(code)) return { kind: "exited", pid, code };
  } else if (inner.startsWith("killed by ")) {
    const sig = inner.slice(10).split(" ")[0];
    if (sig.startsWith("SIG")) return { kind: "killed", pid, signal: sig };
  } else if (inner.startsWith("superseded by execve in pid ")) {
    const by = Number(inner.slice(28));
    if (Number.isInteger(by)) return { kind: "superseded", pid, by };
  }
  return { kind: "invalid", reason: `unknown marker ${excerpt(line)}` };
}

/**
 * Classifies one line (without its trailing newline) of `strace -f -o FILE` output.
 *
 * @example
 * ```ts
 * import { parseTraceLine } from "./line_parser.ts";
 * parseTraceLine('12  chdir("\\x2f") = 0'); // { kind: "call", pid: 12, name: "chdir", body: '"\\x2f") = 0' }
 * ```
 */
export function parseTraceLine(line: string): TraceLine {
  const n = line.length;
  if (n === 0) return { kind: "blank" };
  let i = 0;
  let pid = 0;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) break;
    pid = pid * 10 + (c - 48);
    i++;
  }
  if (i === 0 || i > 10 || line.charCodeAt(i) !== 32) {
    return { kind: "invalid", reason: `no pid prefix in ${excerpt(line)}` };
  }
  while (i < n && line.charCodeAt(i) === 32) i++;
  const c0 = line.charCodeAt(i);
  if (c0 === 43 /* + */) {
    return line.startsWith("+++ ", i)
      ? parseMarker(pid, line.slice(i), { line })
      : { kind: "invalid", reason: `unknown line ${excerpt(line)}` };
  }
  if (c0 === 45 /* - */) {
    return line.startsWith("--- ", i) && line.endsWith(" ---")
      ? { kind: "signal", pid }
      : { kind: "invalid", reason: `unknown line ${excerpt(line)}` };
  }
  if (c0 === 60 /* < */) {
    if (!line.startsWith("<... ", i)) {
      return { kind: "invalid", reason: `unknown line ${excerpt(line)}` };
    }
    const close = line.indexOf(" resumed>", i + 5);
    if (close < 0) return { kind: "invalid", reason: `bad resumed line ${excerpt(line)}` };
    const name = line.slice(i + 5, close);
    for (let k = 0; k < name.length; k++) {
      if (!isNameChar(name.charCodeAt(k))) {
        return { kind: "invalid", reason: `bad resumed line ${excerpt(line)}` };
      }
    }
    return { kind: "resumed", pid, name, rest: line.slice(close + 9) };
  }
  const start = i;
  while (i < n && isNameChar(line.charCodeAt(i))) i++;
  if (i === start || line.charCodeAt(i) !== 40 /* ( */) {
    return { kind: "invalid", reason: `unknown line ${excerpt(line)}` };
  }
  const name = line.slice(start, i);
  // Most lines are whole calls: look at the last characters before comparing the suffix.
  if (line.charCodeAt(n - 2) === 46 /* . */ && line.endsWith(UNFINISHED)) {
    return { kind: "unfinished", pid, name, partial: line.slice(i + 1, n - UNFINISHED.length) };
  }
  return { kind: "call", pid, name, body: line.slice(i + 1) };
}
