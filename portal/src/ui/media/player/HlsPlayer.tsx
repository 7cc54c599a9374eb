import { useEffect, useId, useRef, useState } from 'preact/hooks';

export interface HlsPlayerProps {
  /** The HLS manifest's URL (an .m3u8, or an origin's `…/manifest(format=m3u8-aapl)`). */
  src: string;
  /** What plays: the video's accessible name. */
  title: string;
}

type Status = { state: 'loading' } | { state: 'ready' } | { state: 'failed'; message: string };

/**
 * A video element playing an HLS stream. hls.js is loaded with `import()` the first time a
 * player mounts, so it is a chunk of its own and the portal's first screen never downloads it;
 * a browser that plays HLS itself (Safari) gets the URL directly. The stream is muted so
 * browsers let it start without a gesture; the controls unmute it.
 */
export function HlsPlayer({ src, title }: HlsPlayerProps) {
  const video = useRef<HTMLVideoElement>(null);
  const [status, setStatus] = useState<Status>({ state: 'loading' });
  const statusId = useId();

  useEffect(() => {
    const element = video.current;
    if (!element) return;
    let disposed = false;
    let destroy = (): void => {};
    setStatus({ state: 'loading' });

    const start = async (): Promise<void> => {
      const { default: Hls } = await import('hls.js');
      if (disposed) return;
      if (!Hls.isSupported()) {
        if (element.canPlayType('application/vnd.apple.mpegurl')) {
          element.src = src;
          destroy = () => {
            element.removeAttribute('src');
            element.load();
          };
          setStatus({ state: 'ready' });
          return;
        }
        setStatus({ state: 'failed', message: 'This browser cannot play HLS streams.' });
        return;
      }
      const hls = new Hls({ enableWorker: true, lowLatencyMode: false });
      destroy = () => hls.destroy();
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        if (!disposed) setStatus({ state: 'ready' });
      });
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal || disposed) return;
        const answer = data.response?.code ? ` (the server answered ${data.response.code})` : '';
        setStatus({ state: 'failed', message: `The stream could not be played: ${data.details}${answer}.` });
        hls.destroy();
      });
      hls.loadSource(src);
      hls.attachMedia(element);
    };
    start().catch(() => {
      if (!disposed) setStatus({ state: 'failed', message: 'The video player could not be loaded.' });
    });
    return () => {
      disposed = true;
      destroy();
    };
  }, [src]);

  return (
    <figure class="player">
      <video
        ref={video}
        class="player-video"
        controls
        muted
        playsInline
        autoplay
        aria-label={title}
        aria-describedby={status.state === 'ready' ? undefined : statusId}
      />
      <figcaption>
        {title}
        {status.state === 'loading' && (
          <span id={statusId} class="cell-detail" role="status">
            {' '}
            Loading the stream…
          </span>
        )}
        {status.state === 'failed' && (
          <span id={statusId} class="alert" role="alert">
            {status.message}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
