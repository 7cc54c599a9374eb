import { rmSync } from 'node:fs';
import { run } from '../../src/cli/program.js';
import { testDataDir } from '../support/server.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, capturing what it prints. */
export async function runCli(args: string[], shutdown?: Promise<unknown>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    shutdown,
  });
  return { code, stdout, stderr };
}

/** A data folder for one suite, and the CLI bound to it. */
export interface CliFolder {
  dataDir: string;
  /**
   * Runs `tessera <words> <values…> --data <dataDir>`: `words` is split on spaces, `values` are
   * passed as they are (JSON, names with spaces).
   */
  cli(words: string, ...values: string[]): Promise<CliResult>;
  /** Like cli(), but expects success and parses stdout as JSON. */
  json<T>(words: string, ...values: string[]): Promise<T>;
  remove(): void;
}

export function cliFolder(): CliFolder {
  const dataDir = testDataDir();
  const cli = (words: string, ...values: string[]) =>
    runCli([...words.split(' ').filter(Boolean), ...values, '--data', dataDir]);
  return {
    dataDir,
    cli,
    async json<T>(words: string, ...values: string[]): Promise<T> {
      const result = await cli(words, ...values);
      if (result.code !== 0) throw new Error(`tessera ${words} exited ${result.code}: ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

export interface RbacOutput {
  appId: string;
  displayName: string;
  password: string | null;
  tenant: string;
  fileWithCertAndPrivateKey?: string;
}

export interface GraphApplicationOutput {
  id: string;
  appId: string;
  displayName: string;
  signInAudience: string;
  identifierUris: string[];
  appRoles: Array<{ id: string; value: string; allowedMemberTypes: string[]; isEnabled: boolean }>;
  api: { requestedAccessTokenVersion: number | null };
  publicClient: { redirectUris: string[] };
  web: { redirectUris: string[] };
  isFallbackPublicClient: boolean;
  passwordCredentials: Array<{
    keyId: string;
    hint: string;
    displayName: string | null;
    secretText: null;
    endDateTime: string;
  }>;
  keyCredentials: Array<{ customKeyIdentifier: string; type: string; usage: string; endDateTime: string }>;
  publisherDomain: string;
}

/**
 * The io of an in-process `tessera start`: `banner` settles once stderr shows `marker` (the server
 * listens); `stop()` shuts the server down, as Ctrl-C would.
 */
export function startIo(marker: string) {
  let stop = (): void => undefined;
  const shutdown = new Promise<void>((resolve) => (stop = resolve));
  let stderr = '';
  let listening = (): void => undefined;
  const banner = new Promise<void>((resolve) => (listening = resolve));
  const io = {
    stdout: { write: () => true },
    stderr: {
      write: (chunk: string) => {
        stderr += chunk;
        if (stderr.includes(marker)) listening();
        return true;
      },
    },
    shutdown,
  };
  return {
    io,
    banner,
    stop: () => stop(),
    get stderr() {
      return stderr;
    },
  };
}
