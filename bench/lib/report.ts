import type { CpuWindow } from './cpu';
import type { RedisCommandWindow } from './redis-commands';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../libs/testing/src/lib/app-process';
import type { LoadResult } from './load';

export interface TargetRow {
  target: string;
  result: LoadResult;
  /** The ratio to the baseline when measured in rounds (the median of each round's ratio); else computed from `result`. */
  ratioToBaselinePercent?: number;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function ms(value: number): string {
  return value.toFixed(value < 10 ? 2 : 1);
}

/** `ratioTo(row)` is that row's req/s over the baseline's, in percent. */
export function ratioPercent(row: LoadResult, baseline: LoadResult): number {
  return baseline.requestsPerSecond > 0 ? (100 * row.requestsPerSecond) / baseline.requestsPerSecond : 0;
}

/** Process names the CPU columns read from `LoadResult.cpu.processes`. */
export const SERVER_PROCESS = 'server';
export const REDIS_PROCESS = 'redis';
export const LOAD_GENERATOR_PROCESS = 'load generator';

/** Baseline server CPU per request over the target's: the throughput ratio if each had a core to itself. */
export function cpuRatioPercent(row: LoadResult, baseline: LoadResult): number | undefined {
  const target = row.cpu?.processes[SERVER_PROCESS]?.usPerRequest;
  const base = baseline.cpu?.processes[SERVER_PROCESS]?.usPerRequest;
  return target && base ? (100 * base) / target : undefined;
}

/** Rows whose window had more than `thresholdPercent` of the machine busy outside the bench. */
export function contended(rows: TargetRow[], thresholdPercent = 10): TargetRow[] {
  return rows.filter(({ result }) => (result.cpu?.otherPercent ?? 0) > thresholdPercent);
}

function cpuColumn(result: LoadResult, process: string): string {
  const usage = result.cpu?.processes[process];
  return usage ? String(usage.usPerRequest) : '-';
}

export function formatTable(rows: TargetRow[], baselineName: string): string {
  const baseline = rows.find((row) => row.target === baselineName)?.result;
  const columns: Array<[string, number, (row: TargetRow) => string]> = [
    ['target', -26, (row) => row.target],
    ['req/s', 8, (row) => Math.round(row.result.requestsPerSecond).toString()],
    ['p50 ms', 9, (row) => ms(row.result.latencyP50Ms)],
    ['p99 ms', 9, (row) => ms(row.result.latencyP99Ms)],
    [`vs ${baselineName}`, 18, (row) => {
      const ratio = row.ratioToBaselinePercent ?? (baseline ? ratioPercent(row.result, baseline) : undefined);
      return ratio === undefined ? 'n/a' : `${Math.round(ratio)}%`;
    }],
    ['by CPU/req', 12, (row) => {
      const ratio = baseline ? cpuRatioPercent(row.result, baseline) : undefined;
      return ratio === undefined ? '-' : `${Math.round(ratio)}%`;
    }],
    ['server CPU us/req', 19, (row) => cpuColumn(row.result, SERVER_PROCESS)],
    ['redis CPU us/req', 18, (row) => cpuColumn(row.result, REDIS_PROCESS)],
    ['redis cmd/req', 15, (row) => (row.result.redisCommands ? String(row.result.redisCommands.totalPerRequest) : '-')],
    ['other CPU', 11, (row) => (row.result.cpu ? `${Math.round(row.result.cpu.otherPercent)}%` : '-')],
    ['non-2xx/err', 13, (row) => `${row.result.non2xx}/${row.result.errors}`],
  ];
  const line = (cell: (column: [string, number, (row: TargetRow) => string]) => string) =>
    columns.map((column) => pad(cell(column), Math.abs(column[1]), column[1] > 0)).join('');
  return [line(([title]) => title), ...rows.map((row) => line(([, , value]) => value(row)))].join('\n');
}

/** Writes bench/results/<bench>-<timestamp>.json and returns its path. */
export function writeResults(bench: string, data: object): string {
  const directory = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(directory, `${bench}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

export function say(message: string): void {
  process.stdout.write(`[bench] ${message}\n`);
}

/** The CPU and Redis-command lines printed under a measured target; `unit` is "req" or "job". */
export function measurementLines(cpu: CpuWindow | undefined, redisCommands: RedisCommandWindow | undefined, unit: string): string {
  const lines: string[] = [];
  if (cpu) {
    const parts = Object.entries(cpu.processes).map(([name, usage]) => `${name} ${usage.cpuPercentOfOneCore}% of a core (${usage.usPerRequest} us/${unit})`);
    lines.push(`CPU: ${parts.join(', ')}; other ${cpu.otherPercent}% and steal ${cpu.stealPercent}% of the machine`);
  }
  if (redisCommands) {
    const commands = Object.entries(redisCommands.perRequest)
      .sort(([, a], [, b]) => b - a)
      .map(([command, calls]) => `${command} ${calls}`);
    lines.push(`Redis commands per ${unit} (${redisCommands.totalPerRequest}): ${commands.join(', ') || 'none'}`);
  }
  return lines.map((line) => `\n[bench]   ${line}`).join('');
}
