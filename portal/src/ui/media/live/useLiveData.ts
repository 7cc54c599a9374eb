import { useEffect, useState } from 'preact/hooks';
import type { Channel, Program, StreamingEndpoint } from '../../../api/mediaLive.js';
import { inTransition, listChannels, listPrograms, listStreamingEndpoints } from '../../../api/mediaLive.js';
import type { Loaded } from '../../components/useLoad.js';
import { useLoad } from '../../components/useLoad.js';
import { useVisible } from './visibility.js';

export interface LiveData {
  channels: Channel[];
  programs: Program[];
  endpoints: StreamingEndpoint[];
}

/** How often states are read again while something is Starting, Stopping, Scaling… */
export const POLL_MS = 2000;

const loadAll = async (account: string): Promise<LiveData> => {
  const [channels, programs, endpoints] = await Promise.all([
    listChannels(account),
    listPrograms(account),
    listStreamingEndpoints(account),
  ]);
  return { channels, programs, endpoints };
};

/** Whether any channel, program or endpoint is between two states. */
export const anyInTransition = (data: LiveData): boolean =>
  [...data.channels, ...data.programs, ...data.endpoints].some((e) => inTransition(e.state));

/**
 * The account's channels, programs and streaming endpoints, read together. They are read again
 * every 2 s while one of them is in a transition, and not at all while the page is hidden;
 * `refresh` reads them at once (after an action, or when a person asks).
 */
export function useLiveData(account: string): { data: Loaded<LiveData>; refresh: () => void } {
  const [version, setVersion] = useState(0);
  const data = useLoad(() => loadAll(account), [account, version]);
  const visible = useVisible();
  const busy = data.state === 'ready' && anyInTransition(data.value);
  useEffect(() => {
    if (!busy || !visible) return;
    // Each answer schedules the next read, so a slow server is never asked twice at once.
    const timer = setTimeout(() => setVersion((v) => v + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [busy, visible, data]);
  return { data, refresh: () => setVersion((v) => v + 1) };
}
