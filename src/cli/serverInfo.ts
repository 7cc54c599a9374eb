import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../tls/files.js';

/**
 * How to reach the server running on a data folder, as `tessera start` records it in
 * `<data>/server.json` once it listens: the CLI prints endpoints on the server's real origin and
 * port rather than on the defaults.
 */
export interface ServerInfo {
  /** The default origin, e.g. `https://localhost:8443`: what the server's own endpoints are built on. */
  origin: string;
  port: number;
  /** Extra host names given to `tessera start --hostname`. */
  hostnames: string[];
  pid: number;
  /** ISO 8601. */
  startedAt: string;
}

/** The record of one running server, which removes itself when that server stops. */
export interface ServerRecord {
  readonly info: ServerInfo;
  remove(): Promise<void>;
}

const FILE_NAME = 'server.json';
// The file says which process serves the folder: nobody else needs to read or change it.
const FILE_MODE = 0o600;

export const serverInfoPath = (dataDir: string): string => path.join(dataDir, FILE_NAME);

/** Called once the server listens. */
export async function recordServer(
  dataDir: string,
  server: { origin: string; port: number; hostnames?: readonly string[] },
): Promise<ServerRecord> {
  const info: ServerInfo = {
    origin: server.origin,
    port: server.port,
    hostnames: [...(server.hostnames ?? [])],
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  const file = serverInfoPath(dataDir);
  // Atomic, so a CLI reading meanwhile never sees half a file.
  await writeFileAtomic(file, `${JSON.stringify(info, null, 2)}\n`, FILE_MODE);
  return {
    info,
    async remove() {
      // A second server started on the same folder has replaced the record: leave its record alone.
      const current = await readServerInfo(dataDir);
      if (current?.pid === info.pid && current.startedAt === info.startedAt) await rm(file, { force: true });
    },
  };
}

/**
 * The server running on `dataDir`, or undefined when none is. A record left by a server that did
 * not stop cleanly (killed, crashed) names a process that no longer exists and is ignored.
 */
export async function runningServer(dataDir: string): Promise<ServerInfo | undefined> {
  const info = await readServerInfo(dataDir);
  return info && isAlive(info.pid) ? info : undefined;
}

async function readServerInfo(dataDir: string): Promise<ServerInfo | undefined> {
  let text: string;
  try {
    text = await readFile(serverInfoPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseServerInfo(text);
}

/** Anything but a complete record (a hand-edited or truncated file) reads as no record. */
function parseServerInfo(text: string): ServerInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { origin, port, hostnames, pid, startedAt } = value as Record<string, unknown>;
  if (
    typeof origin !== 'string' ||
    !URL.canParse(origin) ||
    !Number.isInteger(port) ||
    !Array.isArray(hostnames) ||
    !hostnames.every((h) => typeof h === 'string') ||
    !Number.isInteger(pid) ||
    (pid as number) <= 0 ||
    typeof startedAt !== 'string'
  ) {
    return undefined;
  }
  return { origin, port: port as number, hostnames: hostnames as string[], pid: pid as number, startedAt };
}

function isAlive(pid: number): boolean {
  try {
    // Signal 0 checks that the process exists without touching it.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
