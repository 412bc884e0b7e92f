// Types for the local serverless plugin (plain JavaScript, loaded by osls itself).
export declare const SKIP_BUILD_VARIABLE: 'SENTINEL_SKIP_BUILD';
declare class SentinelBuildPlugin {
  constructor(serverless: unknown, options: unknown, utils?: unknown);
  readonly hooks: Record<string, () => Promise<void>>;
  build(): Promise<void>;
}
export default SentinelBuildPlugin;
