// CPU time of processes from /proc (Linux): utime + stime, in milliseconds.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond;
function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process so far, in ms, or undefined (gone, or not Linux). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 (state) on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** CPU ms of each process at this moment: Map name → ms. */
export function sampleCpu(processes) {
  return new Map(processes.map((p) => [p.name, cpuMs(p.pid)]));
}

/** CPU ms each process spent between two samples, and the sum. */
export function cpuBetween(before, after) {
  const perProcess = {};
  let total = 0;
  for (const [name, end] of after) {
    const start = before.get(name);
    if (start === undefined || end === undefined) continue;
    perProcess[name] = end - start;
    total += end - start;
  }
  return { perProcess, total };
}
