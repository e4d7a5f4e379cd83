import robotsParser from 'robots-parser';
import type { OutboundHttpClient } from '../outbound/outbound-http-client';

export const CRAWLER_USER_AGENT = 'WorkforceWaveBot/1.0';

/** RFC 9309 asks crawlers to read at least 500 KiB; anything past that is ignored, not an error. */
const ROBOTS_MAX_BYTES = 512 * 1024;
const ROBOTS_TIMEOUT_MS = 5000;

type Robot = ReturnType<typeof robotsParser>;

interface OriginRules {
  robot: Robot | null;
  /** Set when robots.txt existed but could not be read, so the report can say we assumed "allow". */
  problem?: string;
}

/**
 * robots.txt rules per origin (scheme + host + port: http and https, or www and bare host, each
 * have their own file). Fetched lazily through the guarded client and cached for one crawl.
 */
export class RobotsPolicy {
  private readonly origins = new Map<string, Promise<OriginRules>>();

  constructor(
    private readonly http: OutboundHttpClient,
    private readonly deadline: number,
    private readonly signal?: AbortSignal,
  ) {}

  async isAllowed(url: URL): Promise<boolean> {
    const rules = await this.rulesFor(url.origin);
    if (!rules.robot) return true;
    // robots-parser answers undefined for URLs outside the file's origin; rulesFor() keys by origin,
    // so undefined can only mean a malformed URL, which the fetch would reject anyway.
    return rules.robot.isAllowed(url.toString(), CRAWLER_USER_AGENT) !== false;
  }

  /** Origins whose robots.txt failed with 5xx or a network error (we crawled them as unrestricted). */
  async problems(): Promise<string[]> {
    const all = await Promise.all(this.origins.values());
    return all.flatMap((r) => (r.problem ? [r.problem] : []));
  }

  private rulesFor(origin: string): Promise<OriginRules> {
    let rules = this.origins.get(origin);
    if (!rules) {
      rules = this.load(origin);
      this.origins.set(origin, rules);
    }
    return rules;
  }

  private async load(origin: string): Promise<OriginRules> {
    const robotsUrl = `${origin}/robots.txt`;
    const timeoutMs = Math.min(ROBOTS_TIMEOUT_MS, this.deadline - Date.now());
    if (timeoutMs <= 0) return { robot: null };
    try {
      const res = await this.http.request(robotsUrl, {
        headers: { 'user-agent': CRAWLER_USER_AGENT, accept: 'text/plain,*/*;q=0.5' },
        maxRedirects: 5,
        timeoutMs,
        maxBytes: ROBOTS_MAX_BYTES,
        onOversize: 'truncate',
        signal: this.signal,
      });
      if (res.status >= 200 && res.status < 300) return { robot: robotsParser(robotsUrl, res.body.toString('utf8')) };
      // 4xx means "no rules" (RFC 9309 §2.3.1.3).
      if (res.status < 500) return { robot: null };
      // RFC 9309 would have us treat 5xx as "disallow everything". The business asked us to read its
      // own site, so a broken robots.txt should not block that; we allow and say so in the report.
      return { robot: null, problem: `${robotsUrl} answered HTTP ${res.status}; crawled as if it had no rules` };
    } catch (err) {
      // Treated like 5xx. If the origin is really refused or unreachable, the page fetch that follows
      // fails with its own, more precise reason.
      return { robot: null, problem: `${robotsUrl} could not be fetched (${(err as Error).message}); crawled as if it had no rules` };
    }
  }
}
