/**
 * Which origins Tessera answers as. Issuers are built from the Host the client used, because
 * @azure/identity accepts an issuer only on the authority's own host; only known host names on
 * the listening port are honoured, so a forged Host header cannot mint issuers for another
 * authority (another name, or another Tessera on another port of the same machine).
 */
export class PublicOrigins {
  private readonly hostnames: Set<string>;
  /** `--hostname` values that are not loopback names: served to a network, so HSTS applies. */
  private readonly publicHostnames: Set<string>;
  /** Host header → origin: every request asks, and there are only a few distinct hosts. */
  private readonly byHost = new Map<string, string>();

  constructor(
    private port: number,
    extraHostnames: readonly string[] = [],
  ) {
    this.hostnames = new Set([
      'localhost',
      '127.0.0.1',
      '[::1]',
      ...extraHostnames.map((h) => h.toLowerCase()),
    ]);
    this.publicHostnames = new Set(
      extraHostnames.map((h) => h.toLowerCase()).filter((h) => !isLoopbackName(h)),
    );
  }

  /**
   * Whether a request came by a public host name (a `--hostname` that is not a loopback name):
   * browsers should then keep to HTTPS (Strict-Transport-Security). Never for localhost, where
   * HSTS would pin every local development server on any port.
   */
  isPublicHost(host: string | undefined): boolean {
    return this.publicHostnames.size > 0 && host !== undefined && this.publicHostnames.has(hostnameOf(host));
  }

  /** Known once the server listens (tests bind port 0). */
  setPort(port: number): void {
    this.port = port;
    this.byHost.clear();
  }

  get defaultOrigin(): string {
    return this.originOf('localhost');
  }

  /** The origin for a request's Host header, or the default one for a host that is not ours. */
  fromHost(host: string | undefined): string {
    if (!host) return this.defaultOrigin;
    let origin = this.byHost.get(host);
    if (origin === undefined) {
      origin = this.resolveHost(host);
      // Hosts come from clients: bound the memo so made-up ones cannot grow it without end.
      if (this.byHost.size >= 1000) this.byHost.clear();
      this.byHost.set(host, origin);
    }
    return origin;
  }

  private resolveHost(host: string): string {
    if (!URL.canParse(`https://${host}`)) return this.defaultOrigin;
    const url = new URL(`https://${host}`);
    if (url.username || url.password || url.pathname !== '/' || !this.isOwn(url)) return this.defaultOrigin;
    return this.originOf(url.hostname.toLowerCase());
  }

  /** The port Tessera's own origin listens on. */
  get listeningPort(): number {
    return this.port;
  }

  /** One of Tessera's host names (`localhost`, `127.0.0.1`, `[::1]`, `--hostname` values). */
  hasHostname(hostname: string): boolean {
    return this.hostnames.has(hostname.toLowerCase());
  }

  /**
   * `https://localhost:8443` or `https://localhost:8443/`: the server's own origin, which names
   * the management API as a token audience (ARM clients that set only `endpoint` ask for
   * `<endpoint>/.default`), as Azure Stack's management endpoint does.
   */
  isOwnOrigin(value: string, port: number = this.port): boolean {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return (
      url.pathname === '/' &&
      !url.search &&
      !url.hash &&
      !url.username &&
      !url.password &&
      this.isOwn(url, port)
    );
  }

  /** An https URL on one of Tessera's host names and on `port` (the port it listens on). */
  isOwn(url: URL, port: number = this.port): boolean {
    const urlPort = url.port === '' ? 443 : Number(url.port);
    return url.protocol === 'https:' && urlPort === port && this.hostnames.has(url.hostname.toLowerCase());
  }

  /**
   * The origin of a resource that listens on a port of its own, on the host name the client used
   * when it is one of ours (a made-up Host must not end up in the URLs a response hands out).
   */
  onPort(host: string | undefined, port: number): string {
    const hostname = host === undefined ? 'localhost' : hostnameOf(host);
    return originWithPort(this.originOf(this.hostnames.has(hostname) ? hostname : 'localhost'), port);
  }

  private originOf(hostname: string): string {
    return this.port === 443 ? `https://${hostname}` : `https://${hostname}:${this.port}`;
  }
}

/**
 * `https://localhost:8443` with another port: the origin of a resource that listens on a port of
 * its own, on the host name the client used.
 */
export function originWithPort(origin: string, port: number): string {
  const hostEnd = origin.startsWith('https://[')
    ? origin.indexOf(']') + 1
    : origin.indexOf(':', 'https://'.length);
  const base = hostEnd > 0 ? origin.slice(0, hostEnd) : origin;
  return port === 443 ? base : `${base}:${port}`;
}

/** `localhost:9123` → `localhost`, `[::1]:9123` → `[::1]`, lower-cased. */
function hostnameOf(host: string): string {
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    hostname.startsWith('127.') ||
    hostname.startsWith('*.')
  );
}
