import { useEffect, useRef, useState } from 'preact/hooks';
import type { Accepted, Operation } from '../../../api/mediaLive.js';
import { getOperation } from '../../../api/mediaLive.js';
import { announce } from '../../announcer.js';
import { messageOf } from '../../components/Alert.js';
import { visibleDelay } from './visibility.js';

/** One long-running call the person started here, as its operation last said. */
export interface TrackedOperation {
  key: string;
  /** What was asked: "Start channel studio". */
  label: string;
  state: 'InProgress' | 'Succeeded' | 'Failed';
  /** The operation's ErrorCode and ErrorMessage, or why it could not be read. */
  error: string | undefined;
  startedAt: number;
  /** When it was last read (or ended): elapsed time is counted to here. */
  seenAt: number;
}

/** The last few are kept on screen; older ones are dropped. */
const KEPT = 4;
/** The service fails a pipeline call after two minutes; this bounds the polling well past that. */
const GIVE_UP_MS = 10 * 60 * 1000;

/** 250 ms, then 0.5 s, 1 s, and every 2 s after that: quick operations are seen to end at once. */
const delayOf = (attempt: number): number => Math.min(2000, 250 * 2 ** attempt);

/**
 * Long-running calls of the live sets: `run` sends the call; a refusal is kept in the API's own
 * words (`refusal`), an accepted call's operation is polled to its end and shown with its
 * progress; `onSettled` is told when a call is accepted and when its operation ends, so the
 * lists are read again.
 */
export function useOperations(account: string, onSettled: () => void) {
  const [operations, setOperations] = useState<TrackedOperation[]>([]);
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const update = (key: string, change: Partial<TrackedOperation>) =>
    mounted.current && setOperations((all) => all.map((o) => (o.key === key ? { ...o, ...change } : o)));

  const follow = async (key: string, label: string, operationId: string) => {
    const started = Date.now();
    for (let attempt = 0; mounted.current; attempt++) {
      await visibleDelay(delayOf(attempt));
      if (!mounted.current) return;
      let operation: Operation;
      try {
        operation = await getOperation(account, operationId);
      } catch (error) {
        update(key, { state: 'Failed', error: messageOf(error), seenAt: Date.now() });
        return;
      }
      if (operation.state === 'InProgress' && Date.now() - started < GIVE_UP_MS) {
        update(key, { seenAt: Date.now() });
        continue;
      }
      const failed = operation.state !== 'Succeeded';
      const error = failed
        ? [operation.errorCode, operation.errorMessage || `The operation is ${operation.state}.`]
            .filter(Boolean)
            .join(': ')
        : undefined;
      update(key, { state: failed ? 'Failed' : 'Succeeded', error, seenAt: Date.now() });
      announce(failed ? `${label} failed: ${error ?? ''}` : `${label}: done.`);
      onSettled();
      return;
    }
  };

  /**
   * Sends a long-running call. Resolves once it is accepted (the operation goes on, shown in
   * `operations`); rejects with the API's refusal, which is also kept in `refusal` unless the
   * caller shows it itself (`keepRefusal: false`, a dialog).
   */
  const run = async (
    label: string,
    call: () => Promise<Accepted>,
    options: { keepRefusal?: boolean } = {},
  ): Promise<Accepted> => {
    setRefusal(undefined);
    let accepted: Accepted;
    try {
      accepted = await call();
    } catch (error) {
      if (options.keepRefusal !== false && mounted.current) setRefusal(messageOf(error));
      throw error;
    }
    const key = accepted.operationId;
    const now = Date.now();
    setOperations((all) =>
      [
        { key, label, state: 'InProgress' as const, error: undefined, startedAt: now, seenAt: now },
        ...all.filter((o) => o.key !== key),
      ].slice(0, KEPT),
    );
    onSettled();
    void follow(key, label, accepted.operationId);
    return accepted;
  };

  /** `run` for a button: the refusal is shown, nothing more is thrown. */
  const act = (label: string, call: () => Promise<Accepted>): void => {
    run(label, call).catch(() => undefined);
  };

  return { operations, refusal, dismissRefusal: () => setRefusal(undefined), run, act };
}

export type Operations = ReturnType<typeof useOperations>;
