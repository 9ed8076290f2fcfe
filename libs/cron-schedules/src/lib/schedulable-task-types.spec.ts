import { InvalidScheduleError } from './cron-timing';
import { schedulableType } from './schedulable-task-types';

const run = { scheduleId: 'sched_1', userId: 'u1', companyId: 'c1', runKey: 'sched_1_1767225600000' };
const settings = { defaultLlmModel: 'gpt-4o-mini' };

describe('schedulable task types', () => {
  it('schedules a vector computation with document ids fixed per schedule', () => {
    const type = schedulableType('vector_computation');
    expect(() => type.validate({ collection_name: 'docs', documents: ['a', 'b'] })).not.toThrow();
    const request = type.request({ ...run, payload: { collection_name: 'docs', documents: ['a', 'b'] } }, settings);
    expect(request).toMatchObject({ type: 'vector_computation', taskId: 'vector_sched_1_1767225600000', userId: 'u1', companyId: 'c1' });
    expect(request.payload).toEqual({ collection_name: 'docs', documents: ['a', 'b'], metadatas: undefined, ids: ['sched_1_0', 'sched_1_1'] });
  });

  it('schedules an LLM conversation whose id derives from the run, with LLM_MODEL when none is named', () => {
    const type = schedulableType('llm_conversation');
    const first = type.request({ ...run, payload: { prompt: 'Summarize the week' } }, settings);
    const again = type.request({ ...run, payload: { prompt: 'Summarize the week' } }, settings);
    expect(first.taskId).toMatch(/^llm_conv_[0-9a-f]{12}$/);
    expect(again.taskId).toBe(first.taskId);
    expect(first.payload).toMatchObject({ prompt: 'Summarize the week', model: 'gpt-4o-mini', temperature: 0.7 });
    expect(type.request({ ...run, runKey: 'sched_1_1767225601000', payload: { prompt: 'x' } }, settings).taskId).not.toBe(first.taskId);
  });

  it('refuses payloads that are not the type\'s parameters, naming the field', () => {
    expect(() => schedulableType('vector_computation').validate({ collection_name: 'docs', documents: [] })).toThrow(InvalidScheduleError);
    expect(() => schedulableType('llm_conversation').validate({ prompt: 'x', temperature: 3 })).toThrow(/payload\.temperature/);
    expect(() => schedulableType('llm_conversation').validate({ prompt: 'x', shell: 'rm -rf' })).toThrow(/payload\.shell/);
  });
});
