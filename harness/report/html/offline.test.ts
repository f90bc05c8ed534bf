import { describe, expect, it } from 'vitest';
import { leavesFolder, remoteReferences, stripAnalytics } from './offline.ts';

// The tail of index.html as Allure 3.18's awesome plugin writes it (single-file form).
const ALLURE_TAIL = `<script src="data:text/javascript;base64,KCk9Pnt9"></script>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
        gtag('config', 'G-LNDJ3J7WT0', { "report": "awesome" });
    </script>
    <script async>
      window.allureReportDataReady = true;
    </script>
</body>`;

describe('stripAnalytics', () => {
  it("removes Allure's gtag loader and its inline script, and nothing else", () => {
    const { html, removed } = stripAnalytics(ALLURE_TAIL);
    expect(removed).toBe(2);
    expect(html).not.toMatch(/googletagmanager|gtag/);
    expect(html).toContain('data:text/javascript;base64,KCk9Pnt9');
    expect(html).toContain('window.allureReportDataReady = true;');
  });

  it('leaves a page without analytics as it is', () => {
    const page = '<html><script>let a = 1;</script></html>';
    expect(stripAnalytics(page)).toEqual({ html: page, removed: 0 });
  });
});

describe('leavesFolder', () => {
  it.each([
    ['https://example.org/a.js', true],
    ['http://x/y.png', true],
    ['//cdn.example.org/f.woff2', true],
    ['file:///etc/passwd', true],
    ['/abs/path.svg', true],
    ['../other/x.wav', true],
    ['files/1-kill9/../../x', true],
    ['files/1-kill9/timeline.svg', false],
    ['./a.css', false],
    ['data:text/css;base64,AAAA', false],
    ['blob:null/1234', false],
    ['#run-1', false],
    ['', false],
  ])('%s -> %s', (ref, leaves) => expect(leavesFolder(ref)).toBe(leaves));
});

describe('remoteReferences', () => {
  it('finds what a page would fetch from outside, not links people may click', () => {
    const css = Buffer.from('@font-face{src:url(https://fonts.example/f.woff2)} .a{background:url(img/a.png)}').toString('base64');
    const html =
      '<a href="https://allurereport.org">Allure</a>' +
      '<img src="files/t.svg"><audio src="files/a.wav"></audio>' +
      "<script src='https://cdn.example/x.js'></script>" +
      '<link rel="stylesheet" href="//fonts.example/css">' +
      `<link rel="stylesheet" href="data:text/css;base64,${css}">` +
      '<style>@import "https://example.org/s.css"; body{background:url(bg.png)}</style>' +
      '<div style="background:url(\'http://t.example/p.gif\')"></div>' +
      '<img srcset="a.png 1x, https://x.example/b.png 2x">';
    expect(remoteReferences(html).sort()).toEqual(
      [
        'https://cdn.example/x.js',
        '//fonts.example/css',
        'https://fonts.example/f.woff2',
        'https://example.org/s.css',
        'http://t.example/p.gif',
        'https://x.example/b.png',
      ].sort(),
    );
  });

  it('passes the stripped Allure tail', () => {
    expect(remoteReferences(ALLURE_TAIL)).toEqual(['https://www.googletagmanager.com/gtag/js?id=G-LNDJ3J7WT0']);
    expect(remoteReferences(stripAnalytics(ALLURE_TAIL).html)).toEqual([]);
  });
});
