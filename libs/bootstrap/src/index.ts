export { bootstrapHttpApp, bootstrapWorkerApp, createFastifyAdapter, FASTIFY_APP_OPTIONS } from './lib/bootstrap';
export type { BootstrapOptions } from './lib/bootstrap';
export { loadConfigOrExit } from './lib/load-config-or-exit';
