/**
 * A large JSON body parsed in pieces, so that no single turn of the event loop spends more than a
 * piece's worth of time on it. A worker thread validates the whole text and cuts it (planJsonBody);
 * the event loop then builds the value from the pieces, yielding between them (assemblePieces).
 *
 * Why not let the worker parse and post the value back: structured clone rebuilds the object graph
 * on the receiving thread in one go, and that costs about as much as JSON.parse itself.
 *
 * The pieces are slices of the body's own bytes: structural characters are ASCII and UTF-8 never
 * uses ASCII bytes inside a multi-byte character, so a cut between members is a cut between
 * characters, and each piece reads exactly as it does inside the whole (`-0`, escapes and all).
 */
import { exceedsJsonDepth } from './jsonDepth.js';

/** One step of rebuilding a body's value, in order. Containers are numbered by their `open` steps. */
export type PieceStep =
  /** The whole value is one piece (the body is large but its value is not a large container). */
  | { kind: 'value'; start: number; end: number }
  /** A container too large for one piece: created empty under `parent` (-1: the root) at `key`. */
  | { kind: 'open'; parent: number; key: string | null; array: boolean }
  /** Consecutive members (object) or elements (array) of container `parent`: bytes [start, end). */
  | { kind: 'members'; parent: number; start: number; end: number };

/** What the worker answers: the steps, or why the body is not JSON it will parse. */
export type JsonPlan = { ok: true; steps: PieceStep[] } | { ok: false; reason: 'depth' | 'syntax' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Runs in the worker: refuses what inline parsing refuses (depth first), then cuts the body into pieces. */
export function planJsonBody(bytes: Uint8Array, pieceSize: number, maxDepth: number): JsonPlan {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = body.toString('utf8');
  if (exceedsJsonDepth(text, maxDepth)) return { ok: false, reason: 'depth' };
  try {
    JSON.parse(text);
  } catch {
    return { ok: false, reason: 'syntax' };
  }
  return { ok: true, steps: cutIntoPieces(body, pieceSize) };
}

/**
 * The steps that rebuild valid JSON `body` with no piece much over `pieceSize` bytes, unless a
 * single string or number is longer. Containers that span more than `pieceSize` are opened and
 * filled; smaller values travel inside the pieces of their parent. Linear in the body's length.
 */
export function cutIntoPieces(body: Buffer, pieceSize: number): PieceStep[] {
  const large = largeContainers(body, pieceSize);
  const steps: PieceStep[] = [];
  const root = skipWhitespace(body, 0);
  const rootClose = large.get(root);
  if (rootClose === undefined) {
    steps.push({ kind: 'value', start: root, end: valueEnd(body, root) });
    return steps;
  }
  let opened = 0;
  const fill = (open: number, close: number, parent: number, key: string | null): void => {
    const id = opened++;
    const array = body[open] === OPEN_ARRAY;
    steps.push({ kind: 'open', parent, key, array });
    let pendingStart = -1;
    let pendingEnd = -1;
    const flush = () => {
      if (pendingStart >= 0)
        steps.push({ kind: 'members', parent: id, start: pendingStart, end: pendingEnd });
      pendingStart = -1;
    };
    let position = skipWhitespace(body, open + 1);
    while (position < close) {
      const memberStart = position;
      let valueStart = position;
      let keyEnd = -1;
      if (!array) {
        keyEnd = closingQuote(body, position) + 1;
        // Past the colon that follows the key.
        valueStart = skipWhitespace(body, skipWhitespace(body, keyEnd) + 1);
      }
      const childClose = large.get(valueStart);
      let end: number;
      if (childClose !== undefined) {
        flush();
        const childKey = array ? null : (JSON.parse(body.toString('utf8', memberStart, keyEnd)) as string);
        fill(valueStart, childClose, id, childKey);
        end = childClose + 1;
      } else {
        end = valueEnd(body, valueStart);
        if (pendingStart < 0) pendingStart = memberStart;
        pendingEnd = end;
        if (pendingEnd - pendingStart >= pieceSize) flush();
      }
      position = skipWhitespace(body, end);
      if (body[position] === COMMA) position = skipWhitespace(body, position + 1);
    }
    flush();
  };
  fill(root, rootClose, -1, null);
  return steps;
}

/** Open bracket → its close, for containers spanning more than `pieceSize` bytes. */
function largeContainers(body: Buffer, pieceSize: number): Map<number, number> {
  const large = new Map<number, number>();
  const opens: number[] = [];
  const length = body.length;
  for (let i = 0; i < length; i++) {
    const c = body[i];
    if (c === QUOTE) i = closingQuote(body, i);
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) opens.push(i);
    else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      const open = opens.pop() ?? 0;
      if (i + 1 - open > pieceSize) large.set(open, i);
    }
  }
  return large;
}

/** Where the value starting at `start` ends (exclusive), in valid JSON. */
function valueEnd(body: Buffer, start: number): number {
  const first = body[start];
  if (first === QUOTE) return closingQuote(body, start) + 1;
  if (first === OPEN_ARRAY || first === OPEN_OBJECT) {
    let depth = 0;
    for (let i = start; i < body.length; i++) {
      const c = body[i];
      if (c === QUOTE) i = closingQuote(body, i);
      else if (c === OPEN_ARRAY || c === OPEN_OBJECT) depth++;
      else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && --depth === 0) return i + 1;
    }
    return body.length;
  }
  let i = start;
  while (i < body.length) {
    const c = body[i];
    if (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || isWhitespace(c)) break;
    i++;
  }
  return i;
}

function closingQuote(body: Buffer, open: number): number {
  let end = open;
  for (;;) {
    end = body.indexOf(QUOTE, end + 1);
    if (end < 0) return body.length;
    let slashes = 0;
    while (body[end - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return end;
  }
}

const isWhitespace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipWhitespace(body: Buffer, from: number): number {
  let i = from;
  while (i < body.length && isWhitespace(body[i])) i++;
  return i;
}

/** JSON.parse's reviver for bodies that must not carry a `__proto__` key anywhere. */
export const dropProtoKeys = (key: string, value: unknown): unknown =>
  key === '__proto__' ? undefined : value;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs on the event loop: rebuilds the value the steps describe from `body`, parsing one piece at
 * a time and letting other work run after each `pieceSize` bytes. The value equals what
 * `JSON.parse(body, reviver)` returns, key order and duplicate keys included (a later duplicate
 * replaces the earlier value in the earlier's place, as JSON.parse does).
 */
export async function assemblePieces(
  body: Buffer,
  steps: readonly PieceStep[],
  options: { pieceSize: number; dropProtoKeys: boolean },
): Promise<unknown> {
  const reviver = options.dropProtoKeys ? dropProtoKeys : undefined;
  const containers: Array<Record<string, unknown> | unknown[]> = [];
  let root: unknown;
  let sinceYield = 0;
  for (const step of steps) {
    if (step.kind === 'value') {
      root = JSON.parse(body.toString('utf8', step.start, step.end), reviver);
    } else if (step.kind === 'open') {
      const container: Record<string, unknown> | unknown[] = step.array ? [] : {};
      const parent = containers[step.parent];
      if (step.parent < 0) root = container;
      else if (Array.isArray(parent)) parent.push(container);
      else if (parent && step.key !== null && !(reviver && step.key === '__proto__')) {
        setMember(parent, step.key, container);
      }
      containers.push(container);
    } else {
      const target = containers[step.parent];
      const text = body.toString('utf8', step.start, step.end);
      if (Array.isArray(target)) {
        for (const item of JSON.parse(`[${text}]`, reviver) as unknown[]) target.push(item);
      } else if (target) {
        const members = JSON.parse(`{${text}}`, reviver) as Record<string, unknown>;
        for (const key of Object.keys(members)) setMember(target, key, members[key]);
      }
      sinceYield += step.end - step.start;
      if (sinceYield >= options.pieceSize) {
        sinceYield = 0;
        await nextTurn();
      }
    }
  }
  return root;
}

/** A data property, as JSON.parse makes it: `__proto__` included, which assignment would turn into a prototype. */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
