/**
 * Which URLs belong to the business's own site, and when two URLs are the same page.
 *
 * "Same site" is the host with a leading `www.` ignored, plus the port when it is not the default.
 * We deliberately do not widen this to every subdomain of the registrable domain: without a public
 * suffix list, `shop.example.co.uk` and `other.co.uk` cannot be told apart safely, and subdomains
 * such as `book.` or `portal.` are usually third-party systems whose pages are not about the
 * business anyway (their links are still recorded as booking/social facts).
 */
export function siteHost(url: URL): string {
  return url.hostname.toLowerCase().replace(/^www\./, '');
}

export function isSameSite(a: URL, b: URL): boolean {
  return siteHost(a) === siteHost(b) && a.port === b.port;
}

/**
 * Identity of a page for de-duplication: http/https, `www.`, a trailing slash and the fragment
 * all lead to the same document on real sites, so they must not cost two fetches.
 */
export function pageKey(url: URL): string {
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : '/';
  return `${siteHost(url)}:${url.port}${path}${url.search}`;
}

const NON_HTML_EXTENSION = /\.(pdf|jpe?g|png|gif|webp|svg|ico|bmp|tiff?|mp[34]|m4a|mov|avi|wav|zip|gz|rar|7z|docx?|xlsx?|pptx?|csv|txt|xml|json|css|js|woff2?|ttf|eot|ics|vcf)$/i;

/** Files that links point at but that we would only download to discard (menus as PDF, images). */
export function looksLikeNonHtmlFile(url: URL): boolean {
  return NON_HTML_EXTENSION.test(url.pathname);
}
