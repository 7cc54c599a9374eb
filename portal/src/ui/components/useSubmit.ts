import { useState } from 'preact/hooks';
import { messageOf } from './Alert.js';

/**
 * A form's submission: busy while it runs (the button says so and cannot be pressed twice), and
 * the error's own message when it fails.
 */
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = async (event?: Event) => {
    event?.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
