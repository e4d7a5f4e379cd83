import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundHttpClient, OutboundRequestFailed } from '../../core/outbound/outbound-http-client';
import { checkOutboundUrl, isBlockedAddress } from '../../core/outbound/outbound-url-guard';
import { loadConfig } from '../../core/config/config';

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:169.254.169.254',
    '2002:7f00:1::', // 6to4 wrapping 127.0.0.1
    '::7f00:1', '::127.0.0.1', '::808:808', '::8.8.8.8', // IPv4-compatible (::/96), loopback or not
    'not-an-ip',
  ])('blocks %s', (ip) => expect(isBlockedAddress(ip)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows public %s', (ip) => expect(isBlockedAddress(ip)).toBe(false));
});

describe('checkOutboundUrl', () => {
  const strict = { allowPrivateNetworks: false };
  it.each([
    ['ftp://example.com/', 'unsupported_scheme'],
    ['file:///etc/passwd', 'unsupported_scheme'],
    ['javascript:alert(1)', 'unsupported_scheme'],
    ['not a url', 'invalid_url'],
    ['http://user:pw@example.com/', 'credentials_in_url'],
    ['http://127.0.0.1/', 'private_address'],
    ['http://0x7f.1/', 'private_address'],
    ['http://2130706433/', 'private_address'],
    ['http://[::1]:8080/', 'private_address'],
    ['http://[::ffff:7f00:1]/', 'private_address'],
    ['http://169.254.169.254/latest/meta-data/', 'private_address'],
    ['http://[::127.0.0.1]/', 'private_address'],
    ['http://[::7f00:1]:80/', 'private_address'],
    ['https://[::8.8.8.8]/', 'private_address'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(() => checkOutboundUrl(url, strict)).toThrow(expect.objectContaining({ reason }));
  });

  it('lets loopback through only when private networks are allowed (dev and tests)', () => {
    expect(checkOutboundUrl('http://127.0.0.1:8080/x', { allowPrivateNetworks: true }).port).toBe('8080');
  });
});

describe('ports and the service’s own addresses', () => {
  const production = { allowPrivateNetworks: false, allowedPorts: [80, 443], ownUrls: ['https://api.wfw.example'] };

  it.each(['http://example.com:8080/', 'https://example.com:8443/x', 'http://example.com:22/', 'http://example.com:443/'])('refuses %s (port not allowed)', (url) => {
    if (url === 'http://example.com:443/') {
      // 443 is allowed on either scheme: the list is of ports, not of scheme-port pairs.
      expect(checkOutboundUrl(url, production).port).toBe('443');
      return;
    }
    expect(() => checkOutboundUrl(url, production)).toThrow(expect.objectContaining({ reason: 'port_not_allowed' }));
  });

  it('allows the default and the listed ports', () => {
    for (const url of ['http://example.com/', 'https://example.com/', 'http://example.com:80/', 'https://example.com:443/']) {
      expect(() => checkOutboundUrl(url, production)).not.toThrow();
    }
    expect(checkOutboundUrl('https://example.com:8443/', { ...production, allowedPorts: [443, 8443] }).port).toBe('8443');
  });

  it('skips the port rule while private networks are allowed (loopback fixtures on random ports)', () => {
    expect(checkOutboundUrl('http://127.0.0.1:49152/', { ...production, allowPrivateNetworks: true }).port).toBe('49152');
  });

  it.each(['https://api.wfw.example/v2/events', 'http://API.WFW.example./x', 'https://api.wfw.example:443/'])('refuses the service’s own host: %s', (url) => {
    expect(() => checkOutboundUrl(url, production)).toThrow(expect.objectContaining({ reason: 'own_address' }));
  });

  it('refuses the own host on any port in production, only its own port while private networks are allowed', () => {
    const dev = { allowPrivateNetworks: true, allowedPorts: [80, 443], ownUrls: ['http://127.0.0.1:8080'] };
    expect(() => checkOutboundUrl('http://127.0.0.1:8080/v2/agents', dev)).toThrow(expect.objectContaining({ reason: 'own_address' }));
    expect(checkOutboundUrl('http://127.0.0.1:9797/', dev).port).toBe('9797');
    expect(() => checkOutboundUrl('http://127.0.0.1:9797/', { ...dev, allowPrivateNetworks: false, allowedPrivateAddresses: ['127.0.0.1'], allowedPorts: undefined })).toThrow(
      expect.objectContaining({ reason: 'own_address' }),
    );
    expect(checkOutboundUrl('https://other.example/', production).hostname).toBe('other.example');
  });

  it('the configuration reads WFW_OUTBOUND_PORTS (default 80,443) and the composition root applies it', () => {
    expect(loadConfig({}).outboundPorts).toEqual([80, 443]);
    expect(loadConfig({ WFW_OUTBOUND_PORTS: '443, 8443' }).outboundPorts).toEqual([443, 8443]);
    expect(() => loadConfig({ WFW_OUTBOUND_PORTS: '443,http' })).toThrow(/WFW_OUTBOUND_PORTS/);
  });
});

describe('OutboundHttpClient', () => {
  let server: http.Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/to-loopback-name') return void res.writeHead(302, { location: `http://localhost:${port}/ok` }).end();
      if (req.url === '/to-metadata') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/a') return void res.writeHead(301, { location: '/b' }).end();
      if (req.url === '/b') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/big') return void res.end('x'.repeat(10_000));
      if (req.url === '/cross-origin') return void res.writeHead(302, { location: `http://localhost:${port}/echo-auth` }).end();
      if (req.url === '/same-origin') return void res.writeHead(302, { location: '/echo-auth' }).end();
      if (req.url === '/echo-auth') return void res.end(req.headers.authorization ?? 'none');
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses a host name that resolves to loopback at connection time (the DNS hook)', async () => {
    const strict = new OutboundHttpClient({ allowPrivateNetworks: false });
    try {
      const before = hits.length;
      await expect(strict.request(`http://localhost:${port}/ok`)).rejects.toMatchObject({ reason: 'private_address' });
      expect(hits.length).toBe(before); // never connected
    } finally {
      strict.close();
    }
  });

  it('checks every redirect hop: a redirect to the cloud metadata address is refused after the first hop was fetched', async () => {
    // 127.0.0.1 stands in for a public site (allow-listed); everything else private stays refused.
    const strict = new OutboundHttpClient({ allowPrivateNetworks: false, allowedPrivateAddresses: ['127.0.0.1'] });
    try {
      const before = hits.length;
      await expect(strict.request(`http://127.0.0.1:${port}/to-metadata`)).rejects.toMatchObject({ reason: 'private_address', url: 'http://169.254.169.254/latest/meta-data/' });
      expect(hits.slice(before)).toEqual(['/to-metadata']);
      const followed = await strict.request(`http://127.0.0.1:${port}/a`);
      expect(followed.status).toBe(200);
      expect(followed.redirects).toEqual([`http://127.0.0.1:${port}/b`, `http://127.0.0.1:${port}/ok`]);
      expect(followed.url).toBe(`http://127.0.0.1:${port}/ok`);
    } finally {
      strict.close();
    }
  });

  it('refuses a host name that resolves to the service’s own IP (WFW_PUBLIC_BASE_URL an IP literal)', async () => {
    // 127.0.0.1 stands in for the service's public IP; it is allow-listed as private, so only the own-address rule refuses.
    const strict = new OutboundHttpClient({ allowPrivateNetworks: false, allowedPrivateAddresses: ['127.0.0.1', '::1'], ownUrls: [`http://127.0.0.1:${port}`] });
    try {
      const before = hits.length;
      await expect(strict.request(`http://localhost:${port}/ok`)).rejects.toMatchObject({ reason: 'own_address' });
      await expect(strict.request(`http://127.0.0.1:${port}/ok`)).rejects.toMatchObject({ reason: 'own_address' });
      expect(hits.length).toBe(before);
    } finally {
      strict.close();
    }
  });

  it('stops redirect loops, never follows redirects when told not to, and caps body size', async () => {
    const dev = new OutboundHttpClient({ allowPrivateNetworks: true });
    try {
      await expect(dev.request(`http://127.0.0.1:${port}/loop`, { maxRedirects: 3 })).rejects.toMatchObject({ reason: 'too_many_redirects' });
      const noFollow = await dev.request(`http://127.0.0.1:${port}/a`, { maxRedirects: 0 });
      expect(noFollow.status).toBe(301);
      await expect(dev.request(`http://127.0.0.1:${port}/big`, { maxBytes: 1000 })).rejects.toBeInstanceOf(OutboundRequestFailed);
      const truncated = await dev.request(`http://127.0.0.1:${port}/big`, { maxBytes: 1000, onOversize: 'truncate' });
      expect(truncated.body.length).toBe(1000);
      expect(truncated.truncated).toBe(true);
    } finally {
      dev.close();
    }
  });

  it('never forwards credentials across a redirect to another origin', async () => {
    const dev = new OutboundHttpClient({ allowPrivateNetworks: true });
    try {
      const headers = { authorization: 'Bearer secret-token' };
      expect((await dev.request(`http://127.0.0.1:${port}/same-origin`, { headers })).body.toString()).toBe('Bearer secret-token');
      expect((await dev.request(`http://127.0.0.1:${port}/cross-origin`, { headers })).body.toString()).toBe('none');
    } finally {
      dev.close();
    }
  });

  it('names the refused hop when the DNS hook refuses it', async () => {
    const strict = new OutboundHttpClient({ allowPrivateNetworks: false });
    try {
      await expect(strict.request(`http://localhost:${port}/ok`)).rejects.toMatchObject({ reason: 'private_address', url: `http://localhost:${port}/ok` });
    } finally {
      strict.close();
    }
  });

  it('does not tell the caller which private address a host name resolved to (that is for our logs)', async () => {
    const strict = new OutboundHttpClient({ allowPrivateNetworks: false });
    try {
      const err = (await strict.request(`http://localhost:${port}/ok`).then(() => new Error('connected'), (e: Error) => e)) as Error & { resolvedAddress?: string };
      expect(err).toMatchObject({ reason: 'private_address', message: 'localhost resolves to a private or reserved address' });
      expect(err.message).not.toMatch(/127\.0\.0\.1|::1/);
      expect(err.resolvedAddress).toMatch(/^(127\.0\.0\.1|::1)$/);
    } finally {
      strict.close();
    }
  });

  it('reports a refused connection as connection_failed', async () => {
    const dev = new OutboundHttpClient({ allowPrivateNetworks: true });
    try {
      await expect(dev.request('http://127.0.0.1:1/')).rejects.toMatchObject({ reason: 'connection_failed' });
    } finally {
      dev.close();
    }
  });
});
