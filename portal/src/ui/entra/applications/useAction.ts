import { useState } from 'preact/hooks';
import { messageOf } from '../../components/Alert.js';

/**
 * Buttons in a list that each change something (remove this URI, disable that role): which one
 * runs, so it shows progress and cannot be pressed twice, and the API's refusal of the last one.
 */
export function useAction() {
  const [running, setRunning] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (key: string, action: () => Promise<void>) => {
    if (running) return;
    setRunning(key);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setRunning(undefined);
    }
  };
  return { running, error, run };
}
