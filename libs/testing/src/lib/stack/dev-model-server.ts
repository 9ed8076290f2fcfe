import { join } from 'node:path';
import { REPO_ROOT, spawnTsScript } from '../app-process';
import { httpAnswers, ManagedProcess, ServerProcessOptions, waitUntilReady } from './managed-process';

/** The key the development model server accepts, and the one the suite sends when OPENAI_API_KEY is unset. */
export const DEV_MODEL_API_KEY = 'dev-model-server';

export interface DevModelServer {
  readonly url: string;
  readonly port: number;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** The in-repo OpenAI-compatible development model (tools/dev-model-server), in its own process. */
export async function startDevModelServer(port: number, options: ServerProcessOptions = {}): Promise<DevModelServer> {
  const server = spawnTsScript(
    `dev-model-server :${port}`,
    join(REPO_ROOT, 'tools', 'dev-model-server', 'main.ts'),
    { DEV_MODEL_PORT: String(port), DEV_MODEL_API_KEYS: DEV_MODEL_API_KEY, DEV_MODEL_LOG_REQUESTS: 'false' },
    [],
    options,
  );
  await waitUntilReady(server, () => httpAnswers(`http://127.0.0.1:${port}/healthz`, /development_model/), 30_000);
  return { url: `http://127.0.0.1:${port}/v1`, port, process: server, stop: () => server.stop() };
}
