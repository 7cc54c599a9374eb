import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import type { ClientSandbox } from './sandbox.js';
import { OutputWatcher } from './outputWatcher.js';

/** Debian's azure-cli package (installed by .ci/run). */
export const AZ = process.env.TESSERA_AZ ?? '/usr/bin/az';

/** Fails with what to do, rather than skipping, when the test machine has no az. */
export async function requireAz(): Promise<void> {
  try {
    await access(AZ, constants.X_OK);
  } catch {
    assert.fail(
      `${AZ} not found: these tests run Debian's azure-cli 2.45 (apt-get install azure-cli, as .ci/run does)`,
    );
  }
}

/** What az says when it is done: its exit code and both streams. */
export interface AzResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * One signed-in az: every call shares an `AZURE_CONFIG_DIR` (the cloud registration, the MSAL
 * token cache, the subscriptions). Commands run asynchronously, since the server under test
 * runs in this process.
 */
export class AzCli {
  constructor(
    private readonly sandbox: ClientSandbox,
    readonly configDir: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  env(): NodeJS.ProcessEnv {
    return this.sandbox.env({
      AZURE_CONFIG_DIR: this.configDir,
      AZURE_CORE_COLLECT_TELEMETRY: 'false',
      AZURE_CORE_SURVEY_MESSAGE: 'false',
      AZURE_CORE_NO_COLOR: 'true',
      AZURE_CORE_DISABLE_CONFIRM_PROMPT: 'true',
      // No extension is ever installed on the fly, and no upgrade check runs after a command.
      AZURE_EXTENSION_USE_DYNAMIC_INSTALL: 'no',
      'AZURE_AUTO-UPGRADE_ENABLE': 'no',
      ...this.extraEnv,
    });
  }

  run(args: readonly string[]): Promise<AzResult> {
    return new Promise((resolve, reject) => {
      execFile(
        AZ,
        [...args],
        { env: this.env(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') return reject(error);
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
    });
  }

  /** A command that must succeed, its JSON output parsed. */
  async json<T = unknown>(args: readonly string[]): Promise<T> {
    const result = await this.run([...args, '--output', 'json']);
    assert.equal(result.code, 0, `az ${args.join(' ')} failed:\n${result.stderr}`);
    return (result.stdout.trim() === '' ? undefined : JSON.parse(result.stdout)) as T;
  }

  /** A command that must fail: its stderr. */
  async fails(args: readonly string[]): Promise<string> {
    const result = await this.run(args);
    assert.notEqual(result.code, 0, `az ${args.join(' ')} succeeded:\n${result.stdout}`);
    return result.stderr;
  }

  /**
   * `az login --use-device-code`: resolves with the code az shows once it is polling, and with
   * the subscriptions it prints once the person has approved it.
   */
  loginWithDeviceCode(): {
    prompt: Promise<{ verificationUri: string; userCode: string }>;
    done: Promise<unknown>;
    stop: () => void;
  } {
    const child = spawn(AZ, ['login', '--use-device-code', '--output', 'json'], {
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = new OutputWatcher(child, 180_000);
    const prompt = output
      .waitFor('stderr', /open the page (https:\/\/\S+) and enter the code (\S+) to authenticate/)
      .then((match) => ({ verificationUri: match[1] ?? '', userCode: match[2] ?? '' }));
    const done = output.exit.then(({ code, stdout, stderr }) => {
      assert.equal(code, 0, `az login --use-device-code failed:\n${stderr}`);
      return JSON.parse(stdout) as unknown;
    });
    return { prompt, done, stop: output.stop };
  }
}
