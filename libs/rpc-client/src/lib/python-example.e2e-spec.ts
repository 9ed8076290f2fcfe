import { REPO_ROOT, TEST_SERVICE_TOKEN } from '@suite/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealApps, runCommand, startRealApps } from '../e2e/real-apps';

const EXAMPLE = join(__dirname, '../../python/examples/walkthrough.py');

describe("the README's Python example (python/examples/walkthrough.py) against a real gateway and task-worker", () => {
  let apps: RealApps | undefined;

  beforeAll(async () => {
    apps = await startRealApps({ worker: true, environment: { UNIFIED_REGISTRY_ENABLED: 'true', WORKER_QUEUES: 'computation' } });
  }, 90_000);

  afterAll(async () => {
    await apps?.stop();
  });

  it('logs in, beats, follows a document analysis to completion, reads its events and replays them', async () => {
    const { code, output } = await runCommand('python3', [EXAMPLE], {
      cwd: REPO_ROOT,
      env: { ...process.env, SUITE_RPC_URL: apps?.url, LISTENERS_SERVICE_TOKEN: TEST_SERVICE_TOKEN, PYTHONDONTWRITEBYTECODE: '1' },
    });
    if (code !== 0) throw new Error(`the example exited with ${code}:\n${output}\n${apps?.worker?.output()}`);
    expect(output).toMatch(/^logged in: demo-\w+ \(session session-\w+\)$/m);
    expect(output).toContain('heartbeat: success=True online=True');
    expect(output).toMatch(/^task started: doc_analysis_walkthrough-\w+ \(queued\)$/m);
    expect(output).toContain('task completed: progress 100%');
    expect(output).toMatch(/^entities found: .*DATE.*EMAIL.*MONEY/m);
    const events = /^events: (\d+) task.progress_update, steps (.*)$/m.exec(output);
    expect(events?.[2].split(' > ')).toEqual(expect.arrayContaining(['started', 'keywords', 'entities', 'completed']));
    expect(/^replay since \d+-\d+: (\d+) events, has_more=False$/m.exec(output)?.[1]).toBe(String(Number(events?.[1]) - 1));
    expect(output).toContain('unknown task: NOT_FOUND (HTTP 404)');
    expect(output).toContain('logged out: success=True');
  }, 180_000);

  it('is quoted whole in the README', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('```python\n' + readFileSync(EXAMPLE, 'utf8') + '```');
  });
});
