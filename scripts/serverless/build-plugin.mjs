// A local serverless (osls) plugin: builds the esbuild bundles (scripts/build.ts) right before the
// CLI zips them, so `serverless package` and `serverless deploy` on a fresh clone (no dist/) or
// after an older build always ship bundles built from the sources being deployed. Plain
// JavaScript: osls imports plugins itself, without a TypeScript loader; the build runs in a child
// Node with tsx, exactly as `npm run build` does.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Set by a caller that has just built dist/ itself (scripts/package.ts with `skipBuild`). */
export const SKIP_BUILD_VARIABLE = 'SENTINEL_SKIP_BUILD';

export default class SentinelBuildPlugin {
  constructor(serverless, _options, utils) {
    this.serverless = serverless;
    this.log = utils?.log;
    const build = () => this.build();
    this.hooks = {
      // `serverless package` and the packaging step of `serverless deploy`.
      'before:package:createDeploymentArtifacts': build,
      // `serverless deploy function -f <name>` packages that one function.
      'before:deploy:function:packageFunction': build,
    };
  }

  async build() {
    if (process.env[SKIP_BUILD_VARIABLE] === '1') {
      this.log?.notice?.(`sentinel: ${SKIP_BUILD_VARIABLE}=1, packaging the bundles already in dist/`);
      return;
    }
    const serviceDir = this.serverless.serviceDir;
    this.log?.notice?.('sentinel: building the function bundles (scripts/build.ts)');
    const { code, output } = await run(process.execPath, ['--import', 'tsx', join('scripts', 'build.ts')], {
      cwd: serviceDir,
    });
    if (code !== 0) {
      throw new this.serverless.classes.Error(
        `The esbuild build (scripts/build.ts) failed with exit code ${code}; nothing was packaged.\n${output}`,
        'SENTINEL_BUILD_FAILED',
      );
    }
    for (const line of output.trim().split('\n')) if (line) this.log?.info?.(`sentinel: ${line}`);
  }
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
