import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { IpAllowList } from './liveIngest.js';

/**
 * A channel's `AccessControl.IP.Allow` list as a predicate on a peer's address. Azure's entries
 * are an address and an optional prefix length (none: that one address). IPv4 addresses seen
 * through a dual-stack socket (`::ffff:203.0.113.7`) are compared as IPv4, on either side, so a
 * rule written for IPv4 holds whichever way the listener is bound.
 */
export type AddressCheck = (address: string | undefined) => boolean;

const MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The address as IPv4 when it is an IPv4-mapped IPv6 address; zone ids dropped. */
export function normalizeAddress(address: string): string {
  const plain = address.replace(/%.*$/, '');
  return MAPPED.exec(plain)?.[1] ?? plain;
}

/** Null allows everyone; an empty list no one. Throws on an entry that is not an address or prefix. */
export function compileAllowList(list: IpAllowList): AddressCheck {
  if (list === null) return () => true;
  const blocks = new BlockList();
  for (const entry of list) {
    const address = normalizeAddress(entry.address);
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    if (!family) throw new Error(`'${entry.address}' is not an IPv4 or IPv6 address.`);
    const full = family === 'ipv4' ? 32 : 128;
    // A prefix written for the IPv6 form of a mapped IPv4 address (::ffff:a.b.c.d/120) counts
    // from the IPv4 bits.
    let prefix = entry.subnetPrefixLength ?? full;
    if (family === 'ipv4' && MAPPED.test(entry.address.replace(/%.*$/, '')) && prefix > 32) prefix -= 96;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > full) {
      throw new Error(
        `Subnet prefix length ${entry.subnetPrefixLength} is out of range for ${entry.address}.`,
      );
    }
    blocks.addSubnet(address, prefix, family);
  }
  return (peer) => {
    if (!peer) return false;
    const address = normalizeAddress(peer);
    if (isIPv4(address)) return blocks.check(address, 'ipv4');
    if (isIPv6(address)) return blocks.check(address, 'ipv6');
    return false;
  };
}
