import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cpuCount: number;
  cpuModel: string;
  totalMemoryMb: number;
  loadAverage1m: number;
  nodeVersion: string;
  platform: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuCount: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    loadAverage1m: loadavg()[0],
    nodeVersion: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}
