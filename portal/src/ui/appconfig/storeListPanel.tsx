import type { RefObject } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { announce } from '../announcer.js';
import { PlusIcon, RefreshIcon } from '../icons.js';
import { conflictMessage, explain, isConflict } from './refusals.js';

/**
 * What the store's list tabs (key-values, feature flags, snapshots) keep alike: a reload that
 * announces what changed, the dialog opened from the list with focus back on Create when it
 * closes, and the refusal of a row's action (lock, toggle, archive) shown above the list.
 */
export function useStoreList<Opened>() {
  const [version, setVersion] = useState(0);
  const [opened, setOpened] = useState<Opened | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const createButton = useRef<HTMLButtonElement>(null);
  const reload = (message?: string) => {
    if (message) announce(message);
    setVersion((v) => v + 1);
  };
  const close = () => {
    setOpened(undefined);
    requestAnimationFrame(() => createButton.current?.focus());
  };
  /**
   * A row's action on `what` ("feature flag 'beta' (no label)"); `action` answers what to
   * announce. On an ETag conflict the list reloads, so it shows what the other writer did.
   */
  const act = async (what: string, action: () => Promise<string>) => {
    setActionError(undefined);
    try {
      reload(await action());
    } catch (error) {
      setActionError(
        isConflict(error)
          ? `${conflictMessage(what, error)} The list now shows its current state.`
          : explain(error),
      );
      if (isConflict(error)) reload();
    }
  };
  return { version, reload, opened, setOpened, close, createButton, actionError, act };
}

/** A delete's refusal, for ConfirmDelete to show: on a conflict, what changed and what to do. */
export function deleteRefusal(what: string, error: unknown): Error {
  return new Error(
    isConflict(error)
      ? `${conflictMessage(what, error)} Cancel and refresh the list, then decide again.`
      : explain(error),
  );
}

/** The tab's heading with Refresh (announcing `reloaded`) and the Create button. */
export function StoreListHead(props: {
  id: string;
  title: string;
  reloaded: string;
  createLabel: string;
  createButton: RefObject<HTMLButtonElement | null>;
  onReload: (message: string) => void;
  onCreate: () => void;
}) {
  return (
    <div class="panel-head">
      <h2 id={props.id}>{props.title}</h2>
      <div class="actions">
        <button type="button" class="button" onClick={() => props.onReload(props.reloaded)}>
          <RefreshIcon />
          Refresh
        </button>
        <button
          ref={props.createButton}
          type="button"
          class="button primary"
          aria-haspopup="dialog"
          onClick={props.onCreate}
        >
          <PlusIcon />
          {props.createLabel}
        </button>
      </div>
    </div>
  );
}
