/** A benchmark the runner can select by name: `npm run bench -- <name>`. */
export interface Bench {
  name: string;
  aliases?: string[];
  description: string;
  /** Resolves true when every target answered without errors or non-2xx. Never judges speed. */
  run(): Promise<boolean>;
}
