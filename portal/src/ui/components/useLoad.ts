import type { Inputs } from 'preact/hooks';
import { useEffect, useState } from 'preact/hooks';
import { messageOf } from './Alert.js';

export type Loaded<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; message: string };

/** Loads when `inputs` change; an answer that arrives after newer inputs is dropped. */
export function useLoad<T>(load: () => Promise<T>, inputs: Inputs): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoaded((previous) => (previous.state === 'ready' ? previous : { state: 'loading' }));
    load().then(
      (value) => current && setLoaded({ state: 'ready', value }),
      (error: unknown) => current && setLoaded({ state: 'failed', message: messageOf(error) }),
    );
    return () => {
      current = false;
    };
  }, inputs);
  return loaded;
}
