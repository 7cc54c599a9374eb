import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export interface SignRate {
  threads: number;
  signatures: number;
  seconds: number;
  perSecond: number;
}

/** A fresh 2048-bit RSA key, as `SigningKeys.rotate` makes (PKCS#8 PEM). */
export function rsaKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Signs `input` in a loop on this thread: the ceiling of one event loop that does nothing else. */
export function signRateOnThisThread(key: KeyObject, input: Buffer, seconds: number): SignRate {
  for (const end = performance.now() + 200; performance.now() < end;) sign('sha256', input, key);
  let signatures = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    sign('sha256', input, key);
    signatures++;
    now = performance.now();
  }
  const elapsed = (now - start) / 1000;
  return { threads: 1, signatures, seconds: elapsed, perSecond: signatures / elapsed };
}

// Plain JavaScript evaluated in each worker, so the workers need no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const key = createPrivateKey(workerData.pem);
const input = Buffer.from(workerData.input);
for (const end = performance.now() + 200; performance.now() < end; ) sign('sha256', input, key);
// Start together: each worker reports ready, then waits on the shared flag.
const flag = new Int32Array(workerData.flag);
Atomics.add(flag, 1, 1);
Atomics.wait(flag, 0, 0);
let signatures = 0;
const start = performance.now();
const end = start + workerData.seconds * 1000;
let now = start;
while (now < end) {
  sign('sha256', input, key);
  signatures++;
  now = performance.now();
}
parentPort.postMessage({ signatures, seconds: (now - start) / 1000 });
`;

/** The same loop in `threads` worker threads at once: what the machine's cores can sign together. */
export async function signRateInWorkers(
  pem: string,
  input: Buffer,
  seconds: number,
  threads: number,
): Promise<SignRate> {
  const flag = new SharedArrayBuffer(8);
  const view = new Int32Array(flag);
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { pem, input, seconds, flag } }),
  );
  let failure: unknown;
  const results = workers.map(
    (worker) =>
      new Promise<{ signatures: number; seconds: number }>((resolve, reject) => {
        const fail = (error: unknown) => {
          failure ??= error;
          reject(error);
        };
        worker.once('message', resolve);
        worker.once('error', fail);
        worker.once('exit', (code) => fail(new Error(`signing worker exited with code ${code}`)));
      }),
  );
  while (Atomics.load(view, 1) < threads) {
    if (failure) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failure;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  Atomics.store(view, 0, 1);
  Atomics.notify(view, 0);
  const done = await Promise.all(results);
  await Promise.all(workers.map((w) => w.terminate()));
  const signatures = done.reduce((sum, r) => sum + r.signatures, 0);
  return {
    threads,
    signatures,
    seconds: Math.max(...done.map((r) => r.seconds)),
    perSecond: done.reduce((sum, r) => sum + r.signatures / r.seconds, 0),
  };
}

export const keyObject = (pem: string): KeyObject => createPrivateKey(pem);

/**
 * `crypto.sign` with a callback runs in libuv's threadpool: signatures per second with `inFlight`
 * outstanding, and how much of the main thread each one still costs (what an event loop that
 * hands its RSA work to the pool would pay per token).
 */
export async function signRateInThreadpool(
  key: KeyObject,
  input: Buffer,
  seconds: number,
  inFlight: number,
  mainThreadCpuSeconds: () => number | undefined,
): Promise<SignRate & { mainThreadMsPerSign: number | undefined }> {
  const once = () =>
    new Promise<void>((resolve, reject) =>
      sign('sha256', input, key, (error) => (error ? reject(error) : resolve())),
    );
  const loop = async (until: number, count: { n: number }) => {
    while (performance.now() < until) {
      await once();
      count.n++;
    }
  };
  const warm = { n: 0 };
  await Promise.all(Array.from({ length: inFlight }, () => loop(performance.now() + 200, warm)));
  const count = { n: 0 };
  const cpuBefore = mainThreadCpuSeconds();
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, () => loop(start + seconds * 1000, count)));
  const elapsed = (performance.now() - start) / 1000;
  const cpuAfter = mainThreadCpuSeconds();
  return {
    threads: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    signatures: count.n,
    seconds: elapsed,
    perSecond: count.n / elapsed,
    mainThreadMsPerSign:
      cpuBefore === undefined || cpuAfter === undefined
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / count.n,
  };
}
