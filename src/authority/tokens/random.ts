import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 16 * 1024;
let pool = Buffer.alloc(0);
let offset = 0;

/**
 * `n` bytes from the CSPRNG, drawn from a pool filled 16 KiB at a time: each `randomBytes` call
 * has a fixed cost that a token's few claims paid two or three times over (about 15 µs a
 * refresh grant, by `npm run bench -- signins --profile`); Node's randomUUID pools for the same
 * reason. An exhausted pool is replaced, never refilled in place, so the bytes handed out stay
 * as they were.
 */
export function randomBytesPooled(n: number): Buffer {
  if (n > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(n));
  if (offset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + n);
  offset += n;
  return bytes;
}
