import { jobTypesWithoutHandler, taskTypesWithSeveralProcessors } from './job-handlers';

describe('job types without a handler (refused at start-up)', () => {
  const knownMaintenanceJobs = ['registry_cleanup'];

  it('accepts a worker whose served queues have a handler for every job type', () => {
    expect(
      jobTypesWithoutHandler({ queues: ['default', 'computation', 'llm', 'maintenance'], taskTypes: ['noop', 'document_analysis', 'vector_computation', 'llm_conversation'], maintenanceJobs: ['registry_cleanup'], knownMaintenanceJobs }),
    ).toEqual([]);
  });

  it('names each task type of a served queue without a processor, and each maintenance job without a handler', () => {
    expect(jobTypesWithoutHandler({ queues: ['default', 'computation', 'maintenance'], taskTypes: ['noop'], maintenanceJobs: [], knownMaintenanceJobs })).toEqual([
      'computation/document_analysis',
      'computation/vector_computation',
      'maintenance/registry_cleanup',
    ]);
  });

  it('ignores the queues the worker does not serve', () => {
    expect(jobTypesWithoutHandler({ queues: ['default'], taskTypes: ['noop'], maintenanceJobs: [], knownMaintenanceJobs })).toEqual([]);
  });

  it('finds a task type with two processors', () => {
    expect(taskTypesWithSeveralProcessors(['noop', 'document_analysis', 'noop'])).toEqual(['noop']);
  });
});
