import { useRef, useState } from 'preact/hooks';
import { useAction } from './useAction.js';

/**
 * An application's app roles or scopes, which Graph replaces as a whole list: the add form opened
 * under its button (focus goes back to the button when it closes), and adding, enabling or
 * disabling, and removing one entry, each announced through `onChanged` once saved.
 */
export function useEntitlementList<T extends { id: string; isEnabled: boolean }>(
  items: T[],
  save: (items: T[]) => Promise<unknown>,
  onChanged: (message: string) => void,
) {
  const [adding, setAdding] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const { running, error, run } = useAction();
  const close = () => {
    setAdding(false);
    requestAnimationFrame(() => button.current?.focus());
  };
  const add = async (item: T, message: string) => {
    await save([...items, item]);
    close();
    onChanged(message);
  };
  const toggle = (item: T, message: string) =>
    run(item.id, async () => {
      await save(items.map((x) => (x.id === item.id ? { ...x, isEnabled: !x.isEnabled } : x)));
      onChanged(message);
    });
  const remove = (item: T, message: string) =>
    run(item.id, async () => {
      await save(items.filter((x) => x.id !== item.id));
      onChanged(message);
    });
  return { adding, setAdding, button, close, running, error, add, toggle, remove };
}
