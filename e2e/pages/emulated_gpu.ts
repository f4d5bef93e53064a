// The "GPU" of a headless browser test here is SwiftShader: Vulkan run on the same two CPU cores as the page.
// Chromium starts its GPU process at display priority (nice −8, the priority meant for a thread that only
// feeds a real GPU), so there the emulated shader work preempts the page's main thread: a 10 ms render
// task stretches to 80 ms of wall time while the GPU process takes a whole core. On a machine with a GPU that
// work runs off the CPU. Before the responsiveness measurement, the test moves the emulated GPU below the
// page (nice 10), so what the Long Tasks API sees is the page's own work. The 50 ms bar is unchanged.

import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

function parentOf(pid: number): number {
  // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after the last ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** True when `pid` descends from this test process (Chromium's launcher script sits in between). */
function ours(pid: number): boolean {
  for (let p = pid, depth = 0; p > 1 && depth < 8; depth++) {
    p = parentOf(p);
    if (p === process.pid) return true;
  }
  return false;
}

export interface GpuPriority {
  /** GPU processes of this test's browser that were found. */
  processes: number;
  /** Their threads, each now at `nice`. */
  threads: number;
  /** The nice values the threads had before (Chromium's own choice: −8 for the GPU main thread). */
  before: number[];
  nice: number;
}

/** Sets every thread of this test's Chromium GPU process(es) to `nice` (raising nice needs no privilege). */
export function lowerEmulatedGpuPriority(nice = 10): GpuPriority {
  const out: GpuPriority = { processes: 0, threads: 0, before: [], nice };
  if (process.platform !== 'linux') return out;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=gpu-process') || !ours(pid)) continue;
    } catch {
      continue; // the process ended while we looked
    }
    out.processes++;
    for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
      try {
        const was = getPriority(tid);
        setPriority(tid, nice); // Linux: the priority of one thread
        if (!out.before.includes(was)) out.before.push(was);
        out.threads++;
      } catch {
        // the thread ended
      }
    }
  }
  return out;
}
