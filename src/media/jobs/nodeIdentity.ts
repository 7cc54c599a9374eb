import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * This runner's name in task leases and scratch folders: the host and process, for whoever reads
 * the claims table, and random bits, so that a process started again (a pid reused in a new
 * container) is never taken for the one that held a lease before. Safe as part of a file name.
 */
export function newNodeId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9.-]/g, '_')
      .slice(0, 64) || 'host';
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
