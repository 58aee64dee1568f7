// Drives tome's dataset viewer in headless Chromium and prints what a user
// sees, as JSON, for viewer_browser_test.go to check:
//
//   node viewer.mjs BASE_URL CHROMIUM_PATH
//
// It opens the index, follows the first dataset's link, then clicks "next",
// "previous" and a split link, recording on each page the schema, the row
// indices and the first row's cells, whether the images decoded, and every
// console error or failed request (a Content-Security-Policy violation shows
// up as one, and so would a dialog opened by script from a cell).
import { chromium } from 'playwright-core';

const [base, executablePath] = process.argv.slice(2);
if (!base || !executablePath) {
  console.error('usage: node viewer.mjs BASE_URL CHROMIUM_PATH');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  chromiumSandbox: false,
  args: ['--disable-gpu', '--disable-background-networking', '--disable-quic',
    '--no-first-run', '--disable-component-update', '--disable-sync'],
});
const problems = [];
try {
  const page = await browser.newPage();
  page.setDefaultTimeout(20000);
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  // A cell that ran script would most likely open a dialog.
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); d.dismiss(); });

  const visits = {};
  await page.goto(base + '/');
  visits.index = {
    title: await page.title(),
    datasets: await page.locator('#datasets tbody tr td:first-child').allInnerTexts(),
  };
  await page.locator('#datasets tbody tr td:first-child a').first().click();
  visits.first = await observe(page);
  await page.locator('a[rel=next]').first().click();
  visits.next = await observe(page);
  await page.locator('a[rel=prev]').first().click();
  visits.prev = await observe(page);
  await page.locator('#splits a', { hasText: 'test' }).click();
  visits.split = await observe(page);
  console.log(JSON.stringify({ visits, problems }));
} finally {
  await browser.close();
}

// observe reads what the current page shows once its images have settled.
async function observe(page) {
  await page.waitForLoadState('load');
  const images = page.locator('#rows img');
  const n = await images.count();
  for (let i = 0; i < n; i++) await images.nth(i).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll('#rows img')].every((img) => img.complete));
  return {
    path: new URL(page.url()).pathname + new URL(page.url()).search,
    title: await page.locator('#title').innerText(),
    columns: await page.locator('#schema tbody tr td:first-child').allInnerTexts(),
    features: await page.locator('#schema tbody tr td:nth-child(3)').allInnerTexts(),
    range: await page.locator('nav.pager .range').first().innerText(),
    rows: await page.locator('#rows tbody td.index').allInnerTexts(),
    firstRow: await page.locator('#rows tbody tr').first().locator('td.cell').allInnerTexts(),
    // The second column of every row: row 3 of the train split holds markup.
    texts: await page.locator('#rows tbody tr td.cell:nth-child(3)').allInnerTexts(),
    images: n,
    imagesDecoded: await page.$$eval('#rows img', (imgs) => imgs.filter((i) => i.naturalWidth > 0).length),
    scripts: await page.$$eval('script', (s) => s.length),
  };
}
