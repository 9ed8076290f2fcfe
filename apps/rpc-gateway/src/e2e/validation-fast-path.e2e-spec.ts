import { MethodRegistry, passesConstraints } from '@suite/rpc-server';
import { seededRandom, testConfig } from '@suite/testing';
import { validateSync } from 'class-validator';
import { GatewayTestApp, startGateway } from './gateway-test-app';

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Values that pass and fail the gateway's constraints: ids, enums, bounds, wrong types. */
const VALUES: unknown[] = [
  undefined, null, '', 'u-1', 'abc', 'x'.repeat(256), 'x'.repeat(257), 'bad:id', 'job.1_a-b',
  'low', 'high', 'queued', 'running', 'completed', '1700000000000-0', 'not-an-id', '/api/v1',
  0, 1, 5, 100, 101, 1000, 86_400, 86_401, 1_000_001, -1, 2.5, NaN, true,
  [], ['c1', 'c2'], ['c1', ''], [1], Array.from({ length: 1001 }, () => 'c'), {}, { text: 'hello' }, new Set(['a']),
];

describe("the validation fast path decides every gateway method's parameters as class-validator does", () => {
  let gateway: GatewayTestApp;

  beforeAll(async () => {
    gateway = await startGateway(testConfig({ UNIFIED_REGISTRY_ENABLED: 'true' }));
  });

  afterAll(() => gateway.close());

  it('on generated parameters, valid and invalid, for every method with a DTO', () => {
    const methods = gateway.app.get(MethodRegistry).list().filter(({ method }) => method.dto);
    expect(methods.length).toBeGreaterThan(10);
    let valid = 0;
    for (const { fullName, method } of methods) {
      const dto = method.dto as new () => object;
      const next = seededRandom(fullName.length);
      for (let sample = 0; sample < 400; sample++) {
        const bound: Record<string, unknown> = {};
        for (const param of method.params) if (next() < 0.85) bound[param] = VALUES[Math.floor(next() * VALUES.length)];
        const instance = Object.assign(new dto(), bound);
        const expected = validateSync(instance, OPTIONS).length === 0;
        expect([fullName, bound, passesConstraints(instance)]).toEqual([fullName, bound, expected]);
        if (expected) valid += 1;
      }
    }
    expect(valid).toBeGreaterThan(100);
  });
});
