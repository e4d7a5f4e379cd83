import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

export type OutboundRefusal = 'invalid_url' | 'unsupported_scheme' | 'credentials_in_url' | 'private_address' | 'unresolvable_host' | 'port_not_allowed' | 'own_address';

/** A URL we refuse to call. `reason` is stable and machine-readable; callers turn it into their own error. */
export class OutboundUrlRefused extends Error {
  constructor(
    readonly reason: OutboundRefusal,
    message: string,
    readonly url?: string,
    /**
     * The private address a host name resolved to: for our logs only. Clients never see it, or
     * refusals would answer "what does this internal name resolve to" for anyone.
     */
    readonly resolvedAddress?: string,
  ) {
    super(message);
    this.name = 'OutboundUrlRefused';
  }
}

export interface OutboundGuardOptions {
  /** Dev and tests only (WFW_ALLOW_PRIVATE_NETWORKS=1): lets loopback and private targets through. */
  allowPrivateNetworks: boolean;
  /**
   * Exact private addresses let through even when private networks are refused: an operator's
   * allow-list for a known internal receiver (and how tests stand in a public host on loopback).
   */
  allowedPrivateAddresses?: readonly string[];
  /**
   * The ports a URL may name (a URL without one uses its scheme's, 80 or 443): WFW_OUTBOUND_PORTS.
   * Unset means any. Not applied while private networks are allowed, since dev and test fixtures
   * listen on loopback at random ports.
   */
  allowedPorts?: readonly number[];
  /**
   * The service's own public URLs (WFW_PUBLIC_BASE_URL): never called, so a client cannot make us
   * call ourselves. Refused by host name on any port (on its own port only while private networks
   * are allowed, where loopback fixtures share the host); when the host is an IP literal, any name
   * resolving to it is refused too. A host name's resolved addresses are not compared: behind a
   * CDN they are shared with unrelated sites.
   */
  ownUrls?: readonly string[];
  /**
   * The DNS resolver the connection-time check asks (default `dns.lookup`). Tests pass one whose
   * answer changes between calls, to rebind a name from public to private.
   */
  lookup?: DnsLookup;
}

export type DnsLookup = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

function refused(address: string, options: OutboundGuardOptions): boolean {
  return !options.allowPrivateNetworks && isBlockedAddress(address) && !(options.allowedPrivateAddresses ?? []).includes(address);
}

/** IPv4-compatible IPv6 (`::/96`, deprecated by RFC 4291): `::127.0.0.1` is `::7f00:1` once parsed. */
const IPV4_COMPATIBLE = new net.BlockList();
IPV4_COMPATIBLE.addSubnet('::', 96, 'ipv6');

function effectivePort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

function sameAddress(a: string, b: string): boolean {
  return ipaddr.isValid(a) && ipaddr.isValid(b) && ipaddr.process(a).toNormalizedString() === ipaddr.process(b).toNormalizedString();
}

function ownUrlList(options: OutboundGuardOptions): URL[] {
  return (options.ownUrls ?? []).flatMap((raw) => {
    try {
      return [new URL(raw)];
    } catch {
      return [];
    }
  });
}

/** The IP literals among the service's own hosts: a name resolving to one of them is refused. */
function ownAddresses(options: OutboundGuardOptions): string[] {
  return ownUrlList(options)
    .map(bareHost)
    .filter((h) => net.isIP(h) !== 0);
}

/**
 * True for any address that is not ordinary public unicast: loopback, RFC 1918, link-local
 * (which holds cloud metadata at 169.254.169.254), CGNAT, multicast, reserved, unique-local IPv6,
 * and IPv4 addresses smuggled inside IPv6 (mapped, IPv4-compatible `::/96`, 6to4, Teredo, NAT64).
 */
export function isBlockedAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  if (net.isIPv6(address) && IPV4_COMPATIBLE.check(address, 'ipv6')) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (v6.range() !== 'unicast') return true;
  }
  return parsed.range() !== 'unicast';
}

/** Parses and checks what can be checked before any connection: scheme, credentials, literal IPs. */
export function checkOutboundUrl(raw: string, options: OutboundGuardOptions): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlRefused('invalid_url', 'not an absolute URL', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundUrlRefused('unsupported_scheme', `scheme ${url.protocol.replace(':', '')} is not allowed; use http or https`, raw);
  }
  if (url.username || url.password) {
    throw new OutboundUrlRefused('credentials_in_url', 'URLs with embedded credentials are not allowed', raw);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Literal IPs never reach the DNS hook, so they are judged here; WHATWG parsing has already
  // normalised forms such as 0x7f.1 or 2130706433 to dotted quads.
  if (net.isIP(host) && refused(host, options)) {
    throw new OutboundUrlRefused('private_address', `${host} is a private, loopback, link-local or reserved address`, raw);
  }
  const port = effectivePort(url);
  if (!options.allowPrivateNetworks && options.allowedPorts && !options.allowedPorts.includes(port)) {
    throw new OutboundUrlRefused('port_not_allowed', `port ${port} is not allowed; use ${options.allowedPorts.join(' or ')}`, raw);
  }
  const own = ownUrlList(options).find((o) => {
    const ownHost = bareHost(o);
    const hostMatches = ownHost === host.replace(/\.$/, '').toLowerCase() || sameAddress(ownHost, host);
    return hostMatches && (!options.allowPrivateNetworks || effectivePort(o) === port);
  });
  if (own) throw new OutboundUrlRefused('own_address', 'URLs of this service itself are not allowed', raw);
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).Agent: the address is judged at connection time, after resolution,
 * so a DNS answer that changes between a check and the connect (rebinding) cannot slip through.
 */
export function guardedLookup(options: OutboundGuardOptions) {
  const own = ownAddresses(options);
  return (hostname: string, lookupOptions: dns.LookupOptions, callback: LookupCallback): void => {
    const resolve: DnsLookup = options.lookup ?? dns.lookup;
    resolve(hostname, { ...lookupOptions, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as dns.LookupAddress[];
      if (list.length === 0) {
        return callback(new OutboundUrlRefused('unresolvable_host', `${hostname} did not resolve`) as NodeJS.ErrnoException, []);
      }
      {
        const blocked = list.find((a) => refused(a.address, options));
        if (blocked) {
          const refusal = new OutboundUrlRefused('private_address', `${hostname} resolves to a private or reserved address`, undefined, blocked.address);
          return callback(refusal as NodeJS.ErrnoException, []);
        }
        const mine = options.allowPrivateNetworks ? undefined : list.find((a) => own.some((o) => sameAddress(o, a.address)));
        if (mine) {
          const refusal = new OutboundUrlRefused('own_address', `${hostname} resolves to an address of this service itself`, undefined, mine.address);
          return callback(refusal as NodeJS.ErrnoException, []);
        }
      }
      if (lookupOptions.all) return callback(null, list);
      return callback(null, list[0].address, list[0].family);
    });
  };
}
