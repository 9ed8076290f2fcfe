import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadatas = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;
type Target = Parameters<MetadataStorage['getTargetValidationMetadatas']>[0];

/** Per storage with the cache installed: how many times its metadata changed since. */
const generations = new WeakMap<MetadataStorage, { value: number }>();

/**
 * A number that changes whenever validation metadata is added to `storage`, so derived data can be
 * kept until then; undefined when the cache is not installed there (changes are not tracked).
 */
export function validationMetadataGeneration(storage: MetadataStorage = getMetadataStorage()): number | undefined {
  return generations.get(storage)?.value;
}

/**
 * class-validator looks a class's validation metadata up again on every validation: it filters
 * the global storage and tests the class against every decorated class for inheritance, then
 * groups the result by property. For the RPC hot path that was a fifth of a call's CPU. The
 * metadata only changes while decorators run (at import), so this memoizes both lookups on the
 * global storage and forgets them whenever metadata is added. Lookups with validation groups are
 * not cached (the gateway does not use groups).
 */
export function cacheValidationMetadata(storage: MetadataStorage = getMetadataStorage()): void {
  if (generations.has(storage)) return;
  const generation = { value: 0 };
  generations.set(storage, generation);

  let byTarget = new Map<Target, Map<string, ValidationMetadatas>>();
  let grouped = new WeakMap<ValidationMetadatas, Grouped>();
  const forget = () => {
    generation.value += 1;
    byTarget = new Map();
    grouped = new WeakMap();
  };

  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (groups && groups.length > 0) return lookUp(target, schema, always, strictGroups, groups);
    const variant = `${String(schema)}|${always}|${strictGroups}`;
    let variants = byTarget.get(target);
    if (!variants) {
      variants = new Map();
      byTarget.set(target, variants);
    }
    let metadatas = variants.get(variant);
    if (!metadatas) {
      metadatas = lookUp(target, schema, always, strictGroups, groups);
      variants.set(variant, metadatas);
    }
    return metadatas;
  };

  const group = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (metadatas) => {
    let result = grouped.get(metadatas);
    if (!result) {
      result = group(metadatas);
      grouped.set(metadatas, result);
    }
    return result;
  };

  for (const add of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const original = storage[add].bind(storage) as (argument: never) => void;
    (storage[add] as (argument: never) => void) = (argument) => {
      forget();
      original(argument);
    };
  }
}
