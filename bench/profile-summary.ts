/**
 * Summarizes a V8 .cpuprofile (from `BENCH_CPU_PROF=1 npm run bench -- rpc`): where the time went,
 * by package/source area (self time) and by function (self and inclusive time).
 *
 *   node -r @swc-node/register bench/profile-summary.ts <file.cpuprofile> [--after <text>] [--top N]
 *
 * `--after rpc-dispatcher` skips samples until the first one whose stack has a frame whose URL or
 * function name contains the text (e.g. to leave start-up and SWC compilation out).
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return url;
  const source = /\/(apps|libs|bench)\/([^/]+)\//.exec(url);
  return source ? `${source[1]}/${source[2]}` : url;
}

function label(frame: CallFrame): string {
  const file = frame.url ? frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(apps|libs)\//, '$1/').replace(/^\/.*?\/(apps|libs)\//, '$1/') : '';
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

function table(title: string, entries: Map<string, number>, totalUs: number, top: number): string {
  const sorted = [...entries.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = sorted.map(([name, us]) => `${((100 * us) / totalUs).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  return `${title}\n${lines.join('\n')}`;
}

function main(argv: string[]): void {
  const file = argv.find((arg, index) => !arg.startsWith('--') && !['--after', '--top'].includes(argv[index - 1] ?? ''));
  if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--after <text>] [--top N]');
  const afterIndex = argv.indexOf('--after');
  const after = afterIndex >= 0 ? argv[afterIndex + 1] : undefined;
  const topIndex = argv.indexOf('--top');
  const top = topIndex >= 0 ? Number(argv[topIndex + 1]) : 30;

  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) stack.push(byId.get(current) as ProfileNode);
    return stack;
  };

  const selfByArea = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let started = after === undefined;
  let totalUs = 0;
  let idleUs = 0;
  for (let index = 0; index < profile.samples.length; index += 1) {
    const us = profile.timeDeltas[index + 1] ?? 0;
    const stack = stackOf(profile.samples[index]);
    if (!started) {
      started = stack.some(({ callFrame }) => callFrame.url.includes(after as string) || callFrame.functionName.includes(after as string));
      if (!started) continue;
    }
    const leaf = stack[0].callFrame;
    if (leaf.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    add(selfByArea, area(leaf), us);
    add(selfByFunction, label(leaf), us);
    for (const key of new Set(stack.map(({ callFrame }) => label(callFrame)))) add(inclusiveByFunction, key, us);
  }
  process.stdout.write(`busy ${(totalUs / 1000).toFixed(0)} ms, idle ${(idleUs / 1000).toFixed(0)} ms${after ? ` (from the first sample under "${after}")` : ''}\n\n`);
  process.stdout.write(`${table('self time by area', selfByArea, totalUs, top)}\n\n`);
  process.stdout.write(`${table('self time by function', selfByFunction, totalUs, top)}\n\n`);
  process.stdout.write(`${table('inclusive time by function', inclusiveByFunction, totalUs, top)}\n`);
}

main(process.argv.slice(2));
