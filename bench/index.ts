/**
 * Runs benchmarks by name: `npm run bench` runs all, `npm run bench -- rpc` one, `--list` lists them.
 * A new bench is a file exporting a `Bench`, added to BENCHES. Benches report numbers; the exit
 * code is non-zero only when a target answered with errors, never because it was slow.
 */
import { cronBench } from './cron/cron.bench';
import type { Bench } from './lib/bench';
import { llmSessionsBench } from './llm-sessions/llm-sessions.bench';
import { llmBench } from './llm/llm.bench';
import { say } from './lib/report';
import { rpcGatewayBench } from './rpc-gateway/rpc-gateway.bench';
import { tasksBench } from './tasks/tasks.bench';
import { vectorBench } from './vector/vector.bench';
import { workflowBench } from './workflow/workflow.bench';

const BENCHES: Bench[] = [rpcGatewayBench, tasksBench, llmSessionsBench, llmBench, cronBench, vectorBench, workflowBench];

function find(name: string): Bench | undefined {
  return BENCHES.find((bench) => bench.name === name || bench.aliases?.includes(name));
}

function list(): string {
  return BENCHES.map((bench) => `  ${[bench.name, ...(bench.aliases ?? [])].join(', ').padEnd(20)} ${bench.description}`).join('\n');
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--list') || argv.includes('--help')) {
    process.stdout.write(`usage: npm run bench [-- <name>...]\n\nbenches:\n${list()}\n`);
    return 0;
  }
  const unknown = argv.filter((name) => !find(name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench: ${unknown.join(', ')}\n\nbenches:\n${list()}\n`);
    return 2;
  }
  const selected = argv.length > 0 ? [...new Set(argv.map((name) => find(name) as Bench))] : BENCHES;
  let ok = true;
  for (const bench of selected) {
    say(`=== ${bench.name}: ${bench.description}`);
    if (!(await bench.run())) ok = false;
  }
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
