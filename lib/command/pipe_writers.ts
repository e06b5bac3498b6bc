/**
 * Finds the processes of a traced command that hold one of its output streams, from
 * `/proc`: the descendants of the tracer (strace) whose open files include the pipe (or
 * socket) the traced command, the tracer's child, has as that stream. (The tracer's own
 * descriptor is not it: strace hands its stdio to the command and keeps others.) Used to
 * deliver the SIGPIPE the kernel would have sent them when the stream's reader went away.
 *
 * @module
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import process from "node:process";

/**
 * Sends `signal` to every descendant of `tracerPid` that holds the pipe or socket its
 * children (the traced command) have as descriptor `fd` (1 or 2), and returns how many
 * were signaled.
 *
 * @example
 * ```ts ignore
 * signalStreamHolders(strace.pid!, 1, { signal: "SIGPIPE" }); // stdout's reader went away
 * ```
 */
export function signalStreamHolders(
  tracerPid: number,
  fd: number,
  options: { signal: NodeJS.Signals },
): number {
  const streams = new Set<string>();
  for (const pid of childrenOf(tracerPid)) {
    const link = fdLink(pid, String(fd));
    // A pipe, a socket (Bun's), or the unlinked FIFO casher gives for one (spawn.ts).
    if (
      link?.startsWith("pipe:") || link?.startsWith("socket:") || link?.endsWith(" (deleted)")
    ) streams.add(link);
  }
  if (streams.size === 0) return 0;
  let signaled = 0;
  for (const pid of descendantsOf(tracerPid)) {
    // A shell waiting for its children is not writing: the kernel would signal it only
    // if it wrote later (and then does, as casher's end of the pipe is closed by then).
    if (!holds(pid, streams) || waitingForChild(pid)) continue;
    try {
      process.kill(pid, options.signal);
      signaled++;
    } catch { /* already gone */ }
  }
  return signaled;
}

/**
 * The pids of every process below `pid` (children of all its threads, recursively).
 *
 * @example
 * ```ts ignore
 * descendantsOf(process.pid); // e.g. [4242, 4243]
 * ```
 */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const child of childrenOf(parent)) {
      if (found.includes(child)) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const tid of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
      for (const c of text.split(" ")) if (c !== "") children.push(Number(c));
    } catch { /* the thread ended */ }
  }
  return children;
}

function holds(pid: number, streams: ReadonlySet<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  return fds.some((fd) => streams.has(fdLink(pid, fd) ?? ""));
}

function fdLink(pid: number, fd: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return null;
  }
}

function waitingForChild(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/wchan`, "utf8") === "do_wait";
  } catch {
    return false;
  }
}
