/**
 * The address an anonymous client is known by, for per-IP limits. IPv4 addresses are used whole; IPv6
 * addresses are cut to their /64 prefix, because one subscriber usually holds a whole /64 and could
 * otherwise take a fresh address (and a fresh rate-limit bucket) for every request.
 */
import { isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The client's address: the socket's peer, or — when `trustProxy` is set because a reverse proxy fronts
 * the gateway — the last address in `X-Forwarded-For` (the one the proxy appended; earlier ones are
 * whatever the client claimed).
 */
export function clientAddressOf(request: IncomingMessage, trustProxy: boolean): string {
  let address = request.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded ?? '').split(',').map((part) => part.trim()).filter(Boolean).pop();
    if (last) address = last;
  }
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice('::ffff:'.length);
  return isIPv6(address) ? `${ipv6Prefix64(address)}::/64` : address;
}

// Private: the first four groups of an IPv6 address, expanding "::".
function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [''];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  return groups
    .slice(0, 4)
    .map((group) => (group === '' ? '0' : group.toLowerCase().replace(/^0+(?=.)/, '')))
    .join(':');
}
