import { execChecked } from './exec-checked';

const multiAnswering = (results: Array<[Error | null, unknown]> | null) => ({ exec: async () => results });

describe('execChecked', () => {
  it('returns the results when every command succeeded', async () => {
    await expect(execChecked(multiAnswering([[null, 1], [null, 'OK']]))).resolves.toEqual([[null, 1], [null, 'OK']]);
  });

  it('throws the first per-command error, which exec() itself only reports in the results', async () => {
    const wrongType = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    const later = new Error('later');
    await expect(execChecked(multiAnswering([[null, 1], [wrongType, null], [later, null]]))).rejects.toBe(wrongType);
  });

  it('throws when the transaction was aborted (exec() answered null)', async () => {
    await expect(execChecked(multiAnswering(null))).rejects.toThrow(/aborted/);
  });

  it('passes on a rejected exec() (e.g. EXECABORT)', async () => {
    const aborted = new Error('EXECABORT');
    await expect(execChecked({ exec: () => Promise.reject(aborted) })).rejects.toBe(aborted);
  });
});
