import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { OutputWatcher } from './outputWatcher.js';
import type { ClientSandbox } from './sandbox.js';

/**
 * Debian's Python, which has python3-msal (a `python3` earlier on PATH may be another one without
 * it).
 */
export const PYTHON = process.env.TESSERA_PYTHON ?? '/usr/bin/python3';

/**
 * Runs a Python script with JSON arguments (`sys.argv[1]`) in the sandbox; the script prints
 * one JSON line per result.
 */
export function runPython(
  sandbox: ClientSandbox,
  script: string,
  input: unknown,
): Promise<{ code: number; lines: unknown[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      PYTHON,
      ['-c', script, JSON.stringify(input)],
      { env: sandbox.env(), timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        const lines = stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown);
        resolve({ code: error ? Number(error.code) : 0, lines, stderr });
      },
    );
  });
}

/** Fails with what to do, rather than skipping, when the machine has no python3-msal. */
export async function requireMsal(sandbox: ClientSandbox): Promise<string> {
  const result = await runPython(
    sandbox,
    'import json, msal; print(json.dumps(msal.__version__))',
    null,
  ).catch((error: unknown) => ({ code: -1, lines: [], stderr: String(error) }));
  assert.equal(
    result.code,
    0,
    `${PYTHON} cannot import msal: these tests run Debian's python3-msal (apt-get install python3-msal, as .ci/run does)\n${result.stderr}`,
  );
  return String(result.lines[0]);
}

/**
 * A Python client whose first output line must be read before it finishes (the device flow): the
 * first line, then the rest once it exits.
 */
export function startPython(
  sandbox: ClientSandbox,
  script: string,
  input: unknown,
): { first: Promise<unknown>; done: Promise<unknown[]>; stop: () => void } {
  const child = spawn(PYTHON, ['-c', script, JSON.stringify(input)], {
    env: sandbox.env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = new OutputWatcher(child, 120_000);
  const first = output.waitFor('stdout', /^(.*)\n/).then((match) => JSON.parse(match[1] ?? '') as unknown);
  const done = output.exit.then(({ code, stdout, stderr }) => {
    assert.equal(code, 0, `python exited with ${code}:\n${stderr}`);
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  });
  return { first, done, stop: output.stop };
}
