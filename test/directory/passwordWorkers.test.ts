import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { PasswordWorkers } from '../../src/directory/passwordWorkers.js';
import { WorkerLostError, WorkerPool } from '../../src/workers/pool.js';
import {
  ARGON2_OPTIONS,
  hashPassword,
  verifyAgainstDecoy,
  verifyPassword,
} from '../../src/directory/passwords.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'Correct-Horse-7';

/** Starts a job and catches the pool's worker as the job is posted to it, to kill it mid-job. */
function postedTo<T>(start: () => Promise<T>): { started: Promise<T>; worker: Worker } {
  const post = Worker.prototype.postMessage;
  const posted: Worker[] = [];
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
    posted.push(this);
    post.apply(this, args);
  };
  try {
    const started = start();
    const worker = posted[0];
    assert.ok(worker, 'the job was posted to a worker');
    return { started, worker };
  } finally {
    Worker.prototype.postMessage = post;
  }
}

describe('argon2id in password worker threads', () => {
  it('hashes to an argon2id PHC string with the OWASP parameters, which verifies', async () => {
    const hash = await hashPassword(PASSWORD);
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(hash, PASSWORD), true);
    assert.notEqual(await hashPassword(PASSWORD), hash, 'a fresh salt per hash');
  });

  it('answers false for a wrong password', async () => {
    const hash = await hashPassword(PASSWORD);
    assert.equal(await verifyPassword(hash, 'Correct-Horse-8'), false);
    assert.equal(await verifyPassword(hash, ''), false);
  });

  it('answers false, never a match, for a stored hash that does not parse', async () => {
    assert.equal(await verifyPassword('not a hash', PASSWORD), false);
    assert.equal(await verifyPassword('', ''), false);
    assert.equal(await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$garbage', PASSWORD), false);
    // The pool still serves after the failures.
    assert.equal(await verifyPassword(await hashPassword(PASSWORD), PASSWORD), true);
  });

  it('verifies against the decoy without throwing', async () => {
    await verifyAgainstDecoy(PASSWORD);
  });

  it('answers every one of many more concurrent verifies than workers, each correctly', async () => {
    const hash = await hashPassword(PASSWORD);
    const count = 4 * availableParallelism() + 3;
    const attempts = Array.from({ length: count }, (_, i) => (i % 3 === 0 ? 'wrong-Passw0rd' : PASSWORD));
    const verdicts = await Promise.all(attempts.map((attempt) => verifyPassword(hash, attempt)));
    assert.deepEqual(
      verdicts,
      attempts.map((attempt) => attempt === PASSWORD),
    );
  });

  it('runs queued jobs in order of arrival, one per worker', async () => {
    const pool = new PasswordWorkers(1, ARGON2_OPTIONS);
    const hash = await pool.hash(PASSWORD);
    const finished: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => pool.verify(hash, PASSWORD).then(() => finished.push(i))),
    );
    assert.deepEqual(finished, [0, 1, 2, 3, 4]);
  });

  it('fails the job of a worker that dies, and starts another for the next', async () => {
    const pool = new PasswordWorkers(1, ARGON2_OPTIONS);
    const hash = await pool.hash(PASSWORD);
    const { started: dying, worker } = postedTo(() => pool.verify(hash, PASSWORD));
    await worker.terminate();
    await assert.rejects(dying, /exited/);
    assert.equal(await pool.verify(hash, PASSWORD), true);
  });

  it('lets verifyPassword fail, not answer false, when the worker dies: no lockout for a crash', async () => {
    const hash = await hashPassword(PASSWORD);
    const { started: dying, worker } = postedTo(() => verifyPassword(hash, 'wrong-Passw0rd'));
    await worker.terminate();
    await assert.rejects(dying, WorkerLostError);
    assert.equal(await verifyPassword(hash, PASSWORD), true);
  });

  it('fails the waiting jobs when no worker can start', async () => {
    const pool = new WorkerPool<string, string>(
      { url: new URL('./no-such-worker.js', import.meta.url), execArgv: [] },
      1,
    );
    await assert.rejects(pool.run('a'), WorkerLostError);
    await assert.rejects(pool.run('b'), WorkerLostError);
  });

  it('does not keep the process alive once the work is done', async () => {
    const script = `
      const { hashPassword, verifyPassword } = await import(${JSON.stringify(
        new URL('../../src/directory/passwords.ts', import.meta.url).href,
      )});
      const hash = await hashPassword('${PASSWORD}');
      console.log(await verifyPassword(hash, '${PASSWORD}'));
    `;
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const exited = await new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(killer);
    assert.deepEqual(exited, { code: 0, signal: null }, stderr);
    assert.equal(stdout.trim(), 'true');
    // Node and tsx start in about a second; a worker holding the process would hit the kill above.
    assert.ok(performance.now() - started < 10_000, `took ${Math.round(performance.now() - started)} ms`);
  });
});
