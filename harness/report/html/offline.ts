// The report must open with no network. Allure 3's awesome report always writes a Google Analytics
// tag into its index.html (its template hard-codes `analyticsEnable: true`; no option turns it off),
// so the builder removes it, then refuses any page that would still load something from outside.

// The analytics tag as Allure 3.18 writes it: the gtag.js loader and the inline script calling gtag().
const GTAG_LOADER = /<script\b[^>]*\bsrc=["']https:\/\/www\.googletagmanager\.com\/[^"']*["'][^>]*>\s*<\/script>/gi;
const GTAG_CALLS = /<script\b[^>]*>(?:(?!<\/script>)[\s\S])*?\bgtag\((?:(?!<\/script>)[\s\S])*<\/script>/gi;

export function stripAnalytics(html: string): { html: string; removed: number } {
  let removed = 0;
  const out = html.replace(GTAG_LOADER, () => (removed++, '')).replace(GTAG_CALLS, () => (removed++, ''));
  return { html: out, removed };
}

// Elements whose attribute makes the browser fetch something as the page loads (a link <a> does not).
const LOADING_TAG = /<(script|link|img|audio|video|source|track|iframe|embed|object|image|use|input)\b[^>]*>/gi;
const LOADING_ATTR = /\s(?:src|href|xlink:href|data|poster|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const CSS_URL = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi;
const CSS_DATA = /data:text\/css;base64,([A-Za-z0-9+/=]+)/g;

// A reference that leaves the folder: a scheme other than data:/blob:, a protocol-relative //host,
// or a path that climbs out (/abs or ../).
export function leavesFolder(ref: string): boolean {
  const r = ref.trim();
  if (!r || r.startsWith('#')) return false;
  if (/^(data|blob):/i.test(r)) return false;
  if (/^[a-z][a-z0-9+.-]*:/i.test(r) || r.startsWith('//')) return true;
  if (r.startsWith('/')) return true;
  return r.split(/[?#]/)[0]!.split('/').includes('..');
}

const cssRefs = (css: string) => [...css.matchAll(CSS_URL)].map((m) => m.slice(1).find((g) => g !== undefined) ?? '');

// Every reference in the page (and in CSS inlined as data:) that would be fetched from outside the folder.
export function remoteReferences(html: string): string[] {
  const refs: string[] = [];
  for (const tag of html.matchAll(LOADING_TAG)) {
    for (const a of tag[0].matchAll(LOADING_ATTR)) {
      const v = a[1] ?? a[2] ?? a[3] ?? '';
      // srcset holds "url size, url size"
      const urls = /\ssrcset\s*=/i.test(a[0]) ? v.split(',').map((p) => p.trim().split(/\s+/)[0] ?? '') : [v];
      refs.push(...urls);
    }
  }
  for (const style of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) refs.push(...cssRefs(style[1] ?? ''));
  for (const m of html.matchAll(/\sstyle\s*=\s*"([^"]*)"/gi)) refs.push(...cssRefs(m[1] ?? ''));
  for (const m of html.matchAll(CSS_DATA)) refs.push(...cssRefs(Buffer.from(m[1]!, 'base64').toString('utf8')));
  return [...new Set(refs.filter(leavesFolder))];
}
