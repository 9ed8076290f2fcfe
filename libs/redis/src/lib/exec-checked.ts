import type { ChainableCommander } from 'ioredis';

export type MultiResults = Array<[Error | null, unknown]>;

/**
 * Runs a MULTI (or a pipeline) and throws the first per-command error. ioredis resolves `exec()`
 * even when a command inside failed (e.g. WRONGTYPE): the error stands in that command's result
 * slot. The suite runs every MULTI and pipeline of its product code through here
 * (tools/architecture/source-rules.spec.ts checks it).
 */
export async function execChecked(multi: Pick<ChainableCommander, 'exec'>): Promise<MultiResults> {
  const results = await multi.exec();
  if (results === null) throw new Error('MULTI aborted: a watched key changed');
  const failed = results.find(([error]) => error !== null);
  if (failed?.[0]) throw failed[0];
  return results;
}
