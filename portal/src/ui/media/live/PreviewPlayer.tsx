import { useEffect, useState } from 'preact/hooks';
import { HlsPlayer } from '../player/HlsPlayer.js';
import { POLL_MS } from './useLiveData.js';
import { useVisible } from './visibility.js';

type Output = 'waiting' | 'live' | { refused: string };

/**
 * Whether the preview has output yet. A running channel answers 404 until an encoder has sent
 * its first segments, so the player is mounted only once the playlist is there; until then the
 * playlist is asked for every 2 s while the page is shown. The preview needs no token.
 */
function useOutput(src: string): Output {
  const [output, setOutput] = useState<Output>('waiting');
  const visible = useVisible();
  useEffect(() => {
    if (output !== 'waiting' || !visible) return;
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const probe = async () => {
      try {
        const response = await fetch(src, { method: 'HEAD', cache: 'no-store', credentials: 'omit' });
        if (!current) return;
        if (response.ok) return setOutput('live');
        if (response.status === 403) {
          return setOutput({ refused: 'This address is not in the preview’s IP allow list.' });
        }
      } catch {
        // Not reachable now: asked again below.
      }
      if (current) timer = setTimeout(() => void probe(), POLL_MS);
    };
    void probe();
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [src, output, visible]);
  return output;
}

/** The channel's preview over HLS, once it has something to show, with a way to load it again. */
export function PreviewPlayer({ src, channelName }: { src: string; channelName: string }) {
  const [attempt, setAttempt] = useState(0);
  const output = useOutput(src);
  if (output === 'waiting') {
    return (
      <p class="live-waiting" role="status">
        <span class="live-spinner" aria-hidden="true" /> Waiting for an encoder: push RTMP to the ingest URL,
        and the preview plays as soon as the first segments arrive.
      </p>
    );
  }
  if (typeof output === 'object') return <p class="alert">{output.refused}</p>;
  return (
    <div class="live-preview">
      <HlsPlayer key={attempt} src={src} title={`Preview of channel ${channelName}`} />
      <button type="button" class="button" onClick={() => setAttempt((a) => a + 1)}>
        Reload preview
      </button>
    </div>
  );
}
