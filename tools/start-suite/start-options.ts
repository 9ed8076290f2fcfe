import { randomBytes } from 'node:crypto';
import { findFreePort } from '@suite/testing';

export interface StartOptions {
  gatewayPort: number;
  redisPort?: number;
  firestorePort?: number;
  chromaPort?: number;
  /** Port of the development model server (started when OPENAI_API_KEY is unset), from OPENAI_BASE_URL when set. */
  devModelPort?: number;
  token: string;
  tokenGenerated: boolean;
  /** Exit once everything is up (used by the start command's own test). */
  exitWhenReady: boolean;
}

const DEFAULT_GATEWAY_PORT = 8080;

function portOf(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value.includes(':') ? value.slice(value.lastIndexOf(':') + 1) : value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name}=${value} is not a valid port`);
  return port;
}

function urlPortOf(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name}=${value} is not a URL`);
  }
  return portOf(name, url.port || (url.protocol === 'https:' ? '443' : '80'));
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Ports and token follow the production variables (SPEC §10): a variable that is set wins and the
 * local server is started on that port; otherwise a free port is chosen (8080 for the gateway when free).
 */
export async function readStartOptions(environment: NodeJS.ProcessEnv, argv: string[]): Promise<StartOptions> {
  const explicitGateway = portOf('PORT', environment['PORT']);
  const gatewayPort = explicitGateway ?? ((await isFree(DEFAULT_GATEWAY_PORT)) ? DEFAULT_GATEWAY_PORT : await findFreePort());
  const token = environment['LISTENERS_SERVICE_TOKEN'] || `local-${randomBytes(18).toString('hex')}`;
  return {
    gatewayPort,
    redisPort: portOf('LISTENERS_REDIS_PORT', environment['LISTENERS_REDIS_PORT']),
    firestorePort: portOf('FIRESTORE_EMULATOR_HOST', environment['FIRESTORE_EMULATOR_HOST']),
    chromaPort: portOf('CHROMA_PORT', environment['CHROMA_PORT']),
    devModelPort: environment['OPENAI_API_KEY'] ? undefined : urlPortOf('OPENAI_BASE_URL', environment['OPENAI_BASE_URL']),
    token,
    tokenGenerated: !environment['LISTENERS_SERVICE_TOKEN'],
    exitWhenReady: argv.includes('--exit-when-ready'),
  };
}
