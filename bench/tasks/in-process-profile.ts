import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * A V8 CPU profile of this process (the bench's producer) over one window, for BENCH_CPU_PROF=1:
 * `start()` before the window, `stop(name)` after; the .cpuprofile lands in `directory`, in the
 * format bench/profile-summary.ts reads.
 */
export class InProcessProfile {
  private readonly session = new Session();

  private constructor(private readonly directory: string) {}

  static async start(directory: string): Promise<InProcessProfile> {
    const profile = new InProcessProfile(directory);
    profile.session.connect();
    await profile.session.post('Profiler.enable');
    await profile.session.post('Profiler.start');
    return profile;
  }

  /** Writes the profile and returns its path. */
  async stop(name: string): Promise<string> {
    const { profile } = await this.session.post('Profiler.stop');
    this.session.disconnect();
    const file = join(this.directory, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  }
}
