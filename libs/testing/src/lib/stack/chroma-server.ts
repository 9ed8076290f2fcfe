import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, ServerProcessOptions, httpAnswers, startProcess, waitUntilReady } from './managed-process';

function chromaCli(): string {
  const cli = join(__dirname, '../../../../../node_modules/chromadb/dist/cli.mjs');
  if (!existsSync(cli)) throw new Error(`The chroma CLI was not found at ${cli}: run npm ci first.`);
  return cli;
}

export interface ChromaServer {
  readonly host: string;
  readonly port: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** A real Chroma server (the chromadb package's CLI) with its data in a temporary folder. */
export async function startChromaServer(port: number, dataDir?: string, options: ServerProcessOptions = {}): Promise<ChromaServer> {
  const path = dataDir ?? mkdtempSync(join(tmpdir(), 'chroma-'));
  const server = startProcess(`chroma :${port}`, 'node', [chromaCli(), 'run', '--path', path, '--host', '127.0.0.1', '--port', String(port)], {
    detached: options.ownProcessGroup,
  });
  await waitUntilReady(server, () => httpAnswers(`http://127.0.0.1:${port}/api/v2/heartbeat`), 30_000);
  return {
    host: '127.0.0.1',
    port,
    process: server,
    stop: async () => {
      await server.stop();
      if (!dataDir) rmSync(path, { recursive: true, force: true });
    },
  };
}
