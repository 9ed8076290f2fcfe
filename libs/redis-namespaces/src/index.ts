export * from './lib/namespaces';
export * from './lib/keys';
export * from './lib/maintenance-keys';
