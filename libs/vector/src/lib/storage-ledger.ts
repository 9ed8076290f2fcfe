import { Injectable } from '@nestjs/common';
import { RedisConnections, RedisScript } from '@suite/redis';
import { buildQuotaStorageKey, buildVectorStorageLedgerKey } from '@suite/redis-namespaces';
import { CompanyQuotasService } from '@suite/registry';

/**
 * Charges the records of an add against the company's storage_limit_mb, in one step: records
 * already charged (a retried add) cost nothing again; if the new ones do not fit, nothing is
 * charged. KEYS[1] the company's byte counter, KEYS[2] the collection's ledger; ARGV[1] the limit
 * in bytes, then id, bytes pairs. Returns {charged bytes, usage after} or {-1, usage}.
 */
const CHARGE = new RedisScript(
  'vector_storage_charge',
  `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local needed = 0
for i = 2, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then needed = needed + tonumber(ARGV[i + 1]) end
end
if used + needed > tonumber(ARGV[1]) then return {-1, used} end
for i = 2, #ARGV, 2 do redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i + 1]) end
used = redis.call('INCRBY', KEYS[1], needed)
return {needed, used}
`,
);

/** Refunds the given ids (each once, whoever asks first); returns the bytes given back. */
const REFUND = new RedisScript(
  'vector_storage_refund',
  `
local freed = 0
for i = 1, #ARGV do
  local bytes = redis.call('HGET', KEYS[2], ARGV[i])
  if bytes then
    freed = freed + tonumber(bytes)
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
end
if freed > 0 then redis.call('DECRBY', KEYS[1], freed) end
return freed
`,
);

export type ChargeOutcome = { admitted: true; charged: number; usedBytes: number } | { admitted: false; limitBytes: number; usedBytes: number; neededBytes: number };

/** Ids per script call: keeps each script short on the server. */
const IDS_PER_SCRIPT = 1000;

@Injectable()
export class StorageLedger {
  constructor(
    private readonly redis: RedisConnections,
    private readonly quotas: CompanyQuotasService,
  ) {}

  async limitBytes(companyId: string): Promise<number> {
    return (await this.quotas.get(companyId)).storage_limit_mb * 1024 * 1024;
  }

  /** All or nothing: one script for the whole set, so concurrent adds can never together pass the limit. */
  async charge(companyId: string, collectionName: string, records: Array<{ id: string; bytes: number }>): Promise<ChargeOutcome> {
    const limitBytes = await this.limitBytes(companyId);
    const args: Array<string | number> = [limitBytes];
    for (const record of records) args.push(record.id, record.bytes);
    const [charged, used] = (await CHARGE.run(this.redis.command, this.keys(companyId, collectionName), args)) as [number, number];
    if (charged >= 0) return { admitted: true, charged, usedBytes: used };
    return { admitted: false, limitBytes, usedBytes: used, neededBytes: records.reduce((sum, record) => sum + record.bytes, 0) };
  }

  async refund(companyId: string, collectionName: string, ids: string[]): Promise<number> {
    let freed = 0;
    for (let start = 0; start < ids.length; start += IDS_PER_SCRIPT) {
      freed += Number(await REFUND.run(this.redis.command, this.keys(companyId, collectionName), ids.slice(start, start + IDS_PER_SCRIPT)));
    }
    return freed;
  }

  usedBytes(companyId: string): Promise<number> {
    return this.quotas.storageUsedBytes(companyId);
  }

  private keys(companyId: string, collectionName: string): string[] {
    return [buildQuotaStorageKey(companyId), buildVectorStorageLedgerKey(companyId, collectionName)];
  }
}
