export { bootstrapHttpApp, bootstrapWorkerApp, createFastifyAdapter } from './lib/bootstrap';
export type { BootstrapOptions } from './lib/bootstrap';
export { loadConfigOrExit } from './lib/load-config-or-exit';
