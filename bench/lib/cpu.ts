import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * CPU accounting around a measured window (Linux /proc only): how much CPU each process of the
 * bench used per request, and how much the rest of the machine used meanwhile. On a shared 2-core
 * machine, "other" above a few percent means the req/s of that window were taken under contention;
 * CPU per request is much less sensitive to that than req/s.
 */
export interface CpuWindow {
  wallS: number;
  /** Busy share of all cores over the window, 0–100 (100 = every core busy). */
  machineBusyPercent: number;
  /**
   * Share of all cores used outside the watched processes (machine busy minus theirs; includes
   * kernel softirq work for the loopback traffic, so a few percent is normal).
   */
  otherPercent: number;
  /** Share of all cores the hypervisor gave to other guests (steal). */
  stealPercent: number;
  processes: Record<string, { cpuPercentOfOneCore: number; usPerRequest: number }>;
}

interface Snapshot {
  at: bigint;
  machineBusyMs: number;
  machineStealMs: number;
  processMs: Record<string, number>;
}

const supported = process.platform === 'linux' && existsSync('/proc/self/stat');
let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based, see proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
  } catch {
    return Number.NaN;
  }
}

/** All cores together, from /proc/stat's "cpu" line: busy (user, nice, system, irq, softirq) and stolen by the hypervisor. */
function machineMs(): { busy: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  const toMs = 1000 / clockTicks();
  return { busy: (user + nice + system + irq + softirq) * toMs, steal: (steal ?? 0) * toMs };
}

export class CpuMeter {
  private start?: Snapshot;

  /** `pids` names the processes of the bench: the load generator (this process), the server, Redis… */
  constructor(private readonly pids: Record<string, number | undefined>) {}

  static get supported(): boolean {
    return supported;
  }

  private snapshot(): Snapshot {
    const processMs: Record<string, number> = {};
    for (const [name, pid] of Object.entries(this.pids)) if (pid !== undefined) processMs[name] = processCpuMs(pid);
    const machine = machineMs();
    return { at: process.hrtime.bigint(), machineBusyMs: machine.busy, machineStealMs: machine.steal, processMs };
  }

  begin(): void {
    if (supported) this.start = this.snapshot();
  }

  end(requests: number): CpuWindow | undefined {
    const start = this.start;
    if (!supported || !start) return undefined;
    const end = this.snapshot();
    const wallMs = Number(end.at - start.at) / 1e6;
    const cores = cpus().length;
    const processes: CpuWindow['processes'] = {};
    let watchedMs = 0;
    for (const name of Object.keys(start.processMs)) {
      const used = end.processMs[name] - start.processMs[name];
      if (!Number.isFinite(used)) continue;
      watchedMs += used;
      processes[name] = {
        cpuPercentOfOneCore: Math.round((1000 * used) / wallMs) / 10,
        usPerRequest: requests > 0 ? Math.round((1000 * used) / requests) : 0,
      };
    }
    const busyMs = end.machineBusyMs - start.machineBusyMs;
    return {
      wallS: Math.round(wallMs) / 1000,
      machineBusyPercent: Math.round((1000 * busyMs) / (wallMs * cores)) / 10,
      otherPercent: Math.max(0, Math.round((1000 * (busyMs - watchedMs)) / (wallMs * cores)) / 10),
      stealPercent: Math.round((1000 * (end.machineStealMs - start.machineStealMs)) / (wallMs * cores)) / 10,
      processes,
    };
  }
}
