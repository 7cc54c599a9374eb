import { useEffect, useState } from 'preact/hooks';

/**
 * Results of actions (a group deleted, a store created) read out by screen readers: one polite
 * live region for the whole app, which any component can speak through.
 */
let speak: (message: string) => void = () => undefined;

export const announce = (message: string): void => speak(message);

export function LiveRegion() {
  const [message, setMessage] = useState('');
  useEffect(() => {
    speak = (next) => {
      // Emptied first, so the same message twice is read twice.
      setMessage('');
      requestAnimationFrame(() => setMessage(next));
    };
    return () => {
      speak = () => undefined;
    };
  }, []);
  return (
    <div class="visually-hidden" role="status" aria-live="polite">
      {message}
    </div>
  );
}
