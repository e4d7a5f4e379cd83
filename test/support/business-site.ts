import http from 'node:http';
import type { AddressInfo } from 'node:net';

const HOME = `<!doctype html><html><head><title>Smile Dental of Springfield</title>
<meta name="description" content="Family and cosmetic dentistry in Springfield.">
<script type="application/ld+json">${JSON.stringify({
  '@context': 'https://schema.org',
  '@type': 'Dentist',
  name: 'Smile Dental of Springfield',
  telephone: '+1-217-555-0142',
  email: 'hello@smile-dental.example',
  priceRange: '$$',
  address: { '@type': 'PostalAddress', streetAddress: '742 Evergreen Terrace', addressLocality: 'Springfield', addressRegion: 'IL', postalCode: '62704', addressCountry: 'US' },
  openingHoursSpecification: [
    { '@type': 'OpeningHoursSpecification', dayOfWeek: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'], opens: '08:00', closes: '17:00' },
    { '@type': 'OpeningHoursSpecification', dayOfWeek: 'Saturday', opens: '09:00', closes: '13:00' },
  ],
})}</script></head>
<body><nav><a href="/">Home</a> <a href="/services">Our Services</a> <a href="/contact">Contact Us</a></nav>
<h1>Smile Dental of Springfield</h1><p>Gentle family and cosmetic dentistry. New patients welcome. Call (217) 555-0142.</p>
<a href="/book">Book an appointment</a></body></html>`;

const SERVICES = `<!doctype html><html><head><title>Services | Smile Dental</title></head><body>
<h1>Our Services</h1><ul><li>Cleanings and exams</li><li>Teeth whitening</li><li>Dental implants</li><li>Invisalign</li><li>Emergency dental care</li></ul>
<h2>Insurance</h2><p>We accept Delta Dental, Cigna and Aetna PPO plans.</p>
<h2>Cancellation policy</h2><p>Please give us 24 hours notice to cancel or reschedule.</p></body></html>`;

const CONTACT = `<!doctype html><html><head><title>Contact | Smile Dental</title></head><body>
<h1>Contact Us</h1><p>742 Evergreen Terrace, Springfield, IL 62704</p><p><a href="tel:+12175550142">(217) 555-0142</a></p></body></html>`;

export interface BusinessSite {
  url: string;
  requests: string[];
  /** A page's HTML as served now. */
  page(path: string): string | undefined;
  /** Changes what a path serves from now on (null: 404), for a site that changes between two crawls. */
  setPage(path: string, html: string | null): void;
  close(): Promise<void>;
}

export interface BusinessSiteOptions {
  /** Every response (robots.txt included) is sent this long after its request arrives; default 0. */
  latencyMs?: number;
}

/** A small, realistic dental practice site on loopback, the business the provisioning tests research. */
export async function serveBusinessSite(options: BusinessSiteOptions = {}): Promise<BusinessSite> {
  const requests: string[] = [];
  const pages: Record<string, string> = { '/': HOME, '/services': SERVICES, '/contact': CONTACT };
  const latencyMs = options.latencyMs ?? 0;
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (latencyMs > 0) return void setTimeout(() => respond(req, res), latencyMs);
    respond(req, res);
  });
  const respond = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.url === '/robots.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    const page = pages[req.url ?? ''];
    if (!page) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    page: (path) => pages[path],
    setPage: (path, html) => {
      if (html === null) delete pages[path];
      else pages[path] = html;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
