import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (Chrome DevTools format) the digest reads. */
interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileDigest {
  /** Milliseconds of samples inside the window (idle included). */
  windowMs: number;
  busyMs: number;
  /** Coarse buckets of busy time, as a share of busy time, largest first. */
  categories: Array<{ category: string; ms: number; share: number }>;
  /** Functions by self time, largest first. */
  selfTime: Array<{ fn: string; ms: number; share: number }>;
  /** Time with the function anywhere on the (synchronous) stack. */
  inclusive: Array<{ fn: string; ms: number; share: number }>;
  /** False when the window did not overlap the profile and the whole profile was used. */
  windowed: boolean;
}

interface Frame {
  name: string;
  url: string;
  parent: number | undefined;
}

const shortUrl = (url: string): string => {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const src = url.search(/\/(src|bench)\//);
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
};

const label = (frame: Frame): string =>
  frame.url ? `${frame.name || '(anonymous)'} ${shortUrl(frame.url)}` : frame.name;

/** Coarse cost centres: where a token request's CPU time goes. */
function categorize(url: string, name: string): string {
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(program)') return 'native, not attributed (V8/libuv/OpenSSL outside JS calls)';
  if (url.includes('node:internal/crypto/sig')) return 'RSA signature (crypto.sign)';
  // better-sqlite3's native calls have no frames of their own: `prepare`'s self time is SQLite
  // compiling the statement, Kysely's SqliteConnection.executeQuery's is `stmt.all/run`.
  if (url.includes('better-sqlite3/') && name === 'prepare') return 'SQLite: prepare (per query)';
  if (url.includes('kysely/') && url.includes('sqlite-driver') && name === 'executeQuery')
    return 'SQLite: execute (stmt.all / stmt.run)';
  if (/node:internal\/crypto\/(hash|random|keys|util)/.test(url))
    return 'other node:crypto (hash, random bytes)';
  if (/node:(_tls|tls|internal\/tls|internal\/stream_base|net|internal\/net)/.test(url))
    return 'TLS + sockets';
  if (/node:(_http|http|internal\/http)/.test(url)) return 'node:http';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) {
    if (
      /^(fastify|@fastify\/|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse|fast-querystring|toad-cache|rfdc|abstract-logging|process-warning)/.test(
        pkg,
      )
    )
      return 'fastify';
    if (pkg === 'kysely') return 'Kysely (building, compiling, driver, mutex)';
    if (pkg === 'better-sqlite3') return 'better-sqlite3 (JS wrappers)';
    if (/^(pino|sonic-boom|thread-stream|on-exit-leak-free|quick-format-unescaped|fast-redact)/.test(pkg))
      return 'logging (pino)';
    if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx loader (start-up)';
    return `package ${pkg}`;
  }
  if (url.includes('/src/authority/tokens/')) return 'Tessera: token minting (JSON, base64url)';
  if (url.includes('/src/')) return 'Tessera: other src/ (directory, grant, form parsing)';
  if (url.startsWith('node:internal/process/task_queues') || url.startsWith('node:internal/async_hooks'))
    return 'promise/microtask machinery';
  if (url.startsWith('node:')) return `node core (${url.slice(5).replace(/^internal\//, '')})`;
  if (!url) return 'V8 builtins (no script)';
  return 'other';
}

/**
 * Summarises a CPU profile, optionally only the samples taken in [fromUs, toUs] (monotonic clock
 * in microseconds: V8's profile timestamps and `process.hrtime` share CLOCK_MONOTONIC on Linux).
 */
export function digestCpuProfile(
  file: string,
  window?: { fromUs: number; toUs: number },
  inclusiveOf: RegExp[] = [],
): ProfileDigest {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map<number, Frame>();
  for (const node of profile.nodes)
    frames.set(node.id, { name: node.callFrame.functionName, url: node.callFrame.url, parent: undefined });
  for (const node of profile.nodes)
    for (const child of node.children ?? []) {
      const frame = frames.get(child);
      if (frame) frame.parent = node.id;
    }

  let windowed = Boolean(window);
  if (window && (window.toUs < profile.startTime || window.fromUs > profile.endTime)) windowed = false;

  const self = new Map<string, number>();
  const categories = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let windowUs = 0;
  let idleUs = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (windowed && window && (t < window.fromUs || t > window.toUs)) continue;
    const leafId = profile.samples[i] ?? -1;
    const leaf = frames.get(leafId);
    if (!leaf) continue;
    windowUs += dt;
    if (leaf.name === '(idle)') {
      idleUs += dt;
      continue;
    }
    // A native leaf (no script) is charged to its nearest JavaScript caller's category.
    let owner: Frame | undefined = leaf;
    while (owner && !owner.url && owner.parent !== undefined && !owner.name.startsWith('('))
      owner = frames.get(owner.parent);
    const category = categorize(owner?.url ?? '', owner?.name ?? leaf.name);
    categories.set(category, (categories.get(category) ?? 0) + dt);
    const key = label(leaf);
    self.set(key, (self.get(key) ?? 0) + dt);
    if (inclusiveOf.length > 0) {
      const seen = new Set<string>();
      for (
        let f: Frame | undefined = leaf;
        f;
        f = f.parent === undefined ? undefined : frames.get(f.parent)
      ) {
        const name = label(f);
        for (const pattern of inclusiveOf) {
          const tag = pattern.source;
          if (!seen.has(tag) && pattern.test(name)) {
            seen.add(tag);
            inclusive.set(tag, (inclusive.get(tag) ?? 0) + dt);
          }
        }
      }
    }
  }
  const busyUs = windowUs - idleUs;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, us]) => ({ k, ms: round(us / 1000), share: busyUs > 0 ? round(us / busyUs, 4) : 0 }));
  return {
    windowMs: round(windowUs / 1000),
    busyMs: round(busyUs / 1000),
    categories: rank(categories).map(({ k, ms, share }) => ({ category: k, ms, share })),
    selfTime: rank(self)
      .slice(0, 30)
      .map(({ k, ms, share }) => ({ fn: k, ms, share })),
    inclusive: rank(inclusive).map(({ k, ms, share }) => ({ fn: k, ms, share })),
    windowed,
  };
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** Monotonic clock in microseconds, comparable with a child's CPU profile timestamps. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);
