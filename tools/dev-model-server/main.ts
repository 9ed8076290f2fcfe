import { createDevModelServer, DEV_MODEL_SERVER_NAME } from './dev-model-server';

/**
 * Runs the development model server: `DEV_MODEL_PORT` (0 or unset: a free port), on 127.0.0.1
 * unless `DEV_MODEL_HOST` says otherwise; `DEV_MODEL_API_KEYS` lists the accepted keys. Prints one
 * JSON line `{"event":"listening","port":…}` once it accepts connections.
 */
const port = Number(process.env['DEV_MODEL_PORT'] ?? 0);
const host = process.env['DEV_MODEL_HOST'] ?? '127.0.0.1';
const apiKeys = (process.env['DEV_MODEL_API_KEYS'] ?? '')
  .split(',')
  .map((key) => key.trim())
  .filter((key) => key.length > 0);
const quiet = process.env['DEV_MODEL_LOG_REQUESTS'] === 'false';

const line = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), app: 'dev-model-server', ...fields })}\n`);
const server = createDevModelServer({ apiKeys, log: quiet ? undefined : line });
server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  line({ event: 'listening', development_model: true, name: DEV_MODEL_SERVER_NAME, url: `http://${host}:${bound}/v1`, port: bound });
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
