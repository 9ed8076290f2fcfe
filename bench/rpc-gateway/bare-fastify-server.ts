/**
 * The baseline: Fastify 5 with nothing but `POST /rpc` answering a constant envelope (JSON body
 * parsed as the gateway's is, no logger). Run in its own process by the rpc-gateway bench.
 */
import Fastify from 'fastify';

const REPLY = { ok: true, data: { pong: true } };

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/rpc', async () => REPLY);
  app.get('/healthz', async () => ({ ok: true }));
  const close = () => void app.close().then(() => process.exit(0));
  process.on('SIGTERM', close);
  process.on('SIGINT', close);
  await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
