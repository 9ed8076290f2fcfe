export * from './lib/namespaces';
export * from './lib/keys';
