/**
 * The program the kernel itself loads when a file is executed, which the trace cannot
 * see: the `#!` interpreter of a script, or the dynamic loader (`PT_INTERP`) of an ELF
 * binary. casher records it as an extra `exec` input, so upgrading bash or the loader
 * invalidates the entries that ran through it.
 *
 * @module
 */
import { closeSync, openSync, readSync } from "node:fs";
import { type BytePath, bytePathFromBytes, fsPath } from "../path/byte_path.ts";

const PT_INTERP = 3;

/**
 * The interpreter path of an executable, or `null` when it has none (or cannot be read).
 *
 * @example
 * ```ts
 * import { execInterpreter } from "./exec_interpreter.ts";
 * execInterpreter("/bin/ls"); // e.g. "/lib64/ld-linux-x86-64.so.2"
 * ```
 */
export function execInterpreter(path: BytePath): BytePath | null {
  let fd: number;
  try {
    fd = openSync(fsPath(path), "r");
  } catch {
    return null;
  }
  try {
    const head = read(fd, { position: 0, length: 256 });
    if (head[0] === 0x23 && head[1] === 0x21) return shebang(head);
    if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
      return elfInterp(fd, head);
    }
    return null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function shebang(head: Uint8Array): BytePath | null {
  let end = head.indexOf(0x0a);
  if (end === -1) end = head.length;
  const line = bytePathFromBytes(head.subarray(2, end)).trim();
  const interp = line.split(/[ \t]/, 1)[0];
  return interp.startsWith("/") ? interp : null;
}

function elfInterp(fd: number, head: Uint8Array): BytePath | null {
  if (head[4] !== 2 || head[5] !== 1) return null; // 64-bit little-endian only
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const phoff = Number(v.getBigUint64(32, true));
  const phentsize = v.getUint16(54, true);
  const phnum = Math.min(v.getUint16(56, true), 64);
  const table = read(fd, { position: phoff, length: phentsize * phnum });
  const t = new DataView(table.buffer, table.byteOffset, table.byteLength);
  for (let i = 0; i < phnum; i++) {
    const at = i * phentsize;
    if (at + 40 > table.byteLength || t.getUint32(at, true) !== PT_INTERP) continue;
    const offset = Number(t.getBigUint64(at + 8, true));
    const size = Math.min(Number(t.getBigUint64(at + 32, true)), 4096);
    const bytes = read(fd, { position: offset, length: size });
    const nul = bytes.indexOf(0);
    return bytePathFromBytes(nul === -1 ? bytes : bytes.subarray(0, nul));
  }
  return null;
}

function read(fd: number, { position, length }: { position: number; length: number }): Uint8Array {
  const buf = new Uint8Array(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}
