// For scripts/bench.sh (R3): opens a page in Debian's Chromium with a session cookie,
// waits until it has hydrated, and prints the path of every wasm file the browser
// fetched for it, one per line: the main bundle plus the chunks of that page's lazy
// route. Usage: node end2end/first-page.mjs <base-url> <cookie name=value> <path>
import { chromium } from '@playwright/test';

const [base, cookie, path] = process.argv.slice(2);
if (!base || !cookie || !path) {
  console.error('usage: node end2end/first-page.mjs <base-url> <cookie> <path>');
  process.exit(2);
}
const [name, ...rest] = cookie.split('=');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const context = await browser.newContext();
  await context.addCookies([{ name, value: rest.join('='), url: base }]);
  const page = await context.newPage();
  const wasm = new Set();
  page.on('response', (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith('.wasm')) wasm.add(u.pathname);
  });
  await page.goto(base + path);
  await page.waitForSelector('body[data-hydrated]', { timeout: 30_000 });
  for (const p of wasm) console.log(p);
} finally {
  await browser.close();
}
