import { WorkerLostError } from '../workers/pool.js';
import { jsonWorkers } from '../workers/jsonWorkers.js';
import { MAX_JSON_DEPTH, exceedsJsonDepth } from './jsonDepth.js';
import { assemblePieces, dropProtoKeys } from './jsonPieces.js';

/**
 * Bodies up to this size parse inline: the depth scan and JSON.parse of 64 KiB take well under a
 * millisecond, less than handing the body to a thread and back. Every client's ordinary requests
 * are far below it.
 */
export const INLINE_PARSE_LIMIT = 64 * 1024;

/** The most of a large body the event loop parses in one turn (see jsonPieces.ts). */
export const PIECE_SIZE = 32 * 1024;

/** A JSON request body's value, or why there is none: each slice words the refusal its own way. */
export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; reason: 'depth' | 'syntax' };

export interface JsonBodyOptions {
  /** Drop every `__proto__` key, at any depth (ARM's reviver). */
  dropProtoKeys?: boolean;
  /** Tests lower these to send small bodies down the large-body path. */
  inlineLimit?: number;
  pieceSize?: number;
}

/**
 * Parses a request body as JSON, nesting bounded by MAX_JSON_DEPTH. A body over the inline limit is
 * checked and cut in a worker thread and rebuilt here a piece at a time, so a 4 MiB body holds the
 * event loop for no longer than one piece at once; the value is the one JSON.parse would give.
 */
export async function parseJsonBody(bytes: Buffer, options: JsonBodyOptions = {}): Promise<JsonBodyResult> {
  const dropProto = options.dropProtoKeys === true;
  if (bytes.length <= (options.inlineLimit ?? INLINE_PARSE_LIMIT)) return parseInline(bytes, dropProto);
  const pieceSize = options.pieceSize ?? PIECE_SIZE;
  let plan;
  try {
    plan = await jsonWorkers().plan(bytes, pieceSize, MAX_JSON_DEPTH);
  } catch (error) {
    // A worker that cannot start (or died) must not take JSON bodies down with it.
    if (error instanceof WorkerLostError) return parseInline(bytes, dropProto);
    throw error;
  }
  if (!plan.ok) return plan;
  return {
    ok: true,
    value: await assemblePieces(bytes, plan.steps, { pieceSize, dropProtoKeys: dropProto }),
  };
}

/** The small-body path, and the reference the piecewise path must equal. */
export function parseInline(bytes: Buffer, dropProto: boolean): JsonBodyResult {
  const text = bytes.toString('utf8');
  // Bounded in one scan before JSON.parse builds whatever depth the text asks for.
  if (exceedsJsonDepth(text, MAX_JSON_DEPTH)) return { ok: false, reason: 'depth' };
  try {
    return { ok: true, value: JSON.parse(text, dropProto ? dropProtoKeys : undefined) };
  } catch {
    return { ok: false, reason: 'syntax' };
  }
}
