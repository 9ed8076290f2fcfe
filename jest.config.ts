import type { Config } from 'jest';
import { getJestProjectsAsync } from '@nx/jest';

export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
  // Global options (ignored in project configs): e2e tests boot real servers and processes.
  testTimeout: 30_000,
});
