import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a channel keeps across stops and server restarts so that its ingest URL stays the same:
 * its port and its stream key (the access token of `rtmp://…/live/<token>`). A small JSON file in
 * the channel's folder, owned by the pipeline: the control plane never needs to know them, and
 * publishes what startChannel returns.
 */
export interface ChannelState {
  port: number | undefined;
  streamKey: string;
}

const FILE = 'channel.json';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function readChannelState(dir: string): Promise<ChannelState> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, FILE), 'utf8')) as Partial<ChannelState>;
    const port =
      typeof parsed.port === 'number' && parsed.port > 0 && parsed.port < 65536 ? parsed.port : undefined;
    if (typeof parsed.streamKey === 'string' && GUID.test(parsed.streamKey)) {
      return { port, streamKey: parsed.streamKey };
    }
  } catch {
    // none yet, or unreadable: a new key (the old URL could not be trusted anyway)
  }
  return { port: undefined, streamKey: randomUUID() };
}

export async function writeChannelState(dir: string, state: ChannelState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${FILE}.${process.pid}.tmp`);
  await writeFile(temp, JSON.stringify(state) + '\n', { mode: 0o600 });
  await rename(temp, join(dir, FILE));
}

export async function removeChannelState(dir: string): Promise<void> {
  await rm(join(dir, FILE), { force: true });
}
