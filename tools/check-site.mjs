// check-site.mjs starts Folio with its demo content and checks the public
// site with tools nobody on the team wrote:
//
//   - the Nu HTML Checker (vnu.jar, run with the machine's Java): no errors;
//   - axe-core in Debian's Chromium (playwright-core): no violations, light
//     and dark, at 375 and 1280 px wide; no request leaves the site;
//   - Lighthouse 12.8.2 (default mobile emulation): performance,
//     accessibility, best practices and SEO each >= 95 on the article page;
//   - linkinator from the home page: no broken link, image, stylesheet or
//     #fragment;
//   - open-graph-scraper: Open Graph and Twitter tags as a share scraper
//     reads them, and the share card they point to;
//   - JSON-LD NewsArticle fields, unique titles and descriptions, page
//     weight;
//
// and saves screenshots to ../screenshots/. Usage:
//
//   node check-site.mjs --folio PATH_TO_FOLIO_BINARY
//
// It exits non-zero when any check fails or any tool cannot run.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
// Flags that work here as root, without a GPU or network access.
const chromeFlags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"];

const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`  FAIL ${msg}`); };
const section = (name) => console.log(`\n== ${name}`);

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function startFolio(bin) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const data = mkdtempSync(path.join(os.tmpdir(), "folio-check-"));
  const proc = spawn(bin, ["serve", "--demo", "--addr", `127.0.0.1:${port}`, "--data", data, "--base-url", base],
    { stdio: ["ignore", "ignore", "pipe"] });
  // The server's log is shown only if something failed.
  let log = "";
  proc.stderr.on("data", (b) => { if (log.length < 200000) log += b; });
  const stop = () => {
    proc.kill("SIGTERM");
    rmSync(data, { recursive: true, force: true });
    if (failures.length) console.log("\n== folio's log (last lines)\n" + log.split("\n").slice(-40).join("\n"));
  };
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(base + "/healthz");
      if (r.ok) {
        // The demo is seeded at start; wait until the home page lists it.
        const home = await (await fetch(base + "/")).text();
        if (home.includes("article-summary")) return { base, stop };
      }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error("folio did not start");
}

// The pages every check covers. The slugs are the demo's (demo/demo.go).
function pagesOf(base) {
  return [
    { name: "home", path: "/" },
    { name: "article", path: "/beyond-cargo-grid-and-waterway" },
    { name: "article-rtl", path: "/" + encodeURIComponent("دریا-پھر-سے-کام-آ-رہے-ہیں") },
    { name: "article-toc", path: "/reading-an-electricity-bill-the-lines-that-matter" },
    { name: "article-figure", path: "/valley-weekly-keeps-its-print-edition-as-it-moves-the-news-online" },
    { name: "series", path: "/series/rivers-and-the-grid" },
    { name: "tag", path: "/tag/rivers" },
    { name: "author", path: "/author/maren-holt" },
    { name: "404", path: "/no-such-page", status: 404 },
  ].map((p) => ({ ...p, url: base + p.path }));
}

async function fetchPages(pages) {
  section("pages");
  const search = { name: "search", path: "/search?q=river", url: pages[0].url.replace(/\/$/, "") + "/search?q=river" };
  const r = await fetch(search.url);
  if (r.status === 200) pages.push(search); // checked once the search page exists
  for (const p of pages) {
    const res = await fetch(p.url);
    p.html = await res.text();
    const want = p.status || 200;
    if (res.status !== want) fail(`${p.path}: HTTP ${res.status}, want ${want}`);
    console.log(`  ${res.status} ${p.path} (${p.html.length} bytes)`);
  }
}

function vnu(pages) {
  section("Nu HTML Checker");
  const dir = mkdtempSync(path.join(os.tmpdir(), "folio-vnu-"));
  const files = pages.map((p) => {
    const f = path.join(dir, `${p.name}.html`);
    writeFileSync(f, p.html);
    return f;
  });
  const jar = require.resolve("vnu-jar/build/dist/vnu.jar");
  const out = spawnSync("java", ["-jar", jar, "--format", "json", "--exit-zero-always", ...files], { encoding: "utf8" });
  rmSync(dir, { recursive: true, force: true });
  if (out.error || out.status !== 0) {
    fail(`vnu did not run: ${out.error || out.stderr}`);
    return;
  }
  const { messages } = JSON.parse(out.stderr || out.stdout);
  let errors = 0;
  for (const m of messages) {
    const page = path.basename(decodeURIComponent(m.url || "")).replace(/\.html$/, "");
    const where = `${page}:${m.lastLine || "?"}`;
    if (m.type === "error" || m.type === "non-document-error") {
      errors++;
      fail(`vnu error ${where}: ${m.message} ${m.extract ? JSON.stringify(m.extract.slice(0, 120)) : ""}`);
    } else {
      console.log(`  warning ${where}: ${m.message}`);
    }
  }
  console.log(`  vnu: ${errors} errors, ${messages.length - errors} warnings/infos on ${pages.length} pages`);
}

async function browserChecks(pages, base) {
  section("axe-core in Chromium, screenshots");
  const { chromium } = await import("playwright-core");
  const axePath = require.resolve("axe-core/axe.min.js");
  const shots = path.join(repo, "screenshots");
  mkdirSync(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromeFlags });
  const shotPages = new Set(["home", "article", "article-rtl", "series"]);
  let runs = 0;
  const foreign = new Set();
  try {
    for (const scheme of ["light", "dark"]) {
      for (const width of [375, 1280]) {
        const ctx = await browser.newContext({
          viewport: { width, height: width < 800 ? 812 : 900 }, colorScheme: scheme,
          deviceScaleFactor: 1, bypassCSP: true, // to inject axe; the site's own CSP has no exceptions
        });
        for (const p of pages) {
          const page = await ctx.newPage();
          page.on("request", (req) => {
            const u = new URL(req.url());
            if (u.protocol.startsWith("http") && u.origin !== base) foreign.add(`${p.path}: ${req.url()}`);
          });
          await page.goto(p.url, { waitUntil: "load" });
          await page.addScriptTag({ path: axePath });
          const result = await page.evaluate(async () =>
            // eslint-disable-next-line no-undef
            await axe.run(document, { resultTypes: ["violations"] }));
          runs++;
          for (const v of result.violations) {
            fail(`axe ${p.name} ${scheme} ${width}px: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
          }
          // The page must not scroll sideways: something is too wide.
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 0) fail(`${p.name} ${width}px ${scheme}: ${overflow}px horizontal overflow`);
          if (shotPages.has(p.name) && (scheme === "light" || p.name === "article")) {
            const suffix = scheme === "dark" ? "-dark" : "";
            await page.screenshot({ path: path.join(shots, `${p.name}-${width}${suffix}.png`) });
            if (scheme === "light") await page.screenshot({ path: path.join(shots, `${p.name}-${width}-full.png`), fullPage: true });
          }
          await page.close();
        }
        await ctx.close();
      }
    }
    // Printing: the print stylesheet hides the share links.
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(pages.find((p) => p.name === "article").url);
    await page.emulateMedia({ media: "print" });
    if (await page.locator(".share").isVisible()) fail("print: share links are visible");
    await ctx.close();
  } finally {
    await browser.close();
  }
  for (const f of foreign) fail(`third-party request: ${f}`);
  console.log(`  axe: ${runs} page runs (${pages.length} pages × light/dark × 375/1280 px); screenshots in screenshots/`);
}

async function lighthouseCheck(url) {
  section("Lighthouse (mobile)");
  const { default: lighthouse } = await import("lighthouse");
  const chromeLauncher = await import("chrome-launcher");
  const chrome = await chromeLauncher.launch({ chromePath: chromiumPath, chromeFlags });
  try {
    const res = await lighthouse(url, {
      port: chrome.port, output: "json", logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
    });
    const cats = res.lhr.categories;
    for (const id of ["performance", "accessibility", "best-practices", "seo"]) {
      const score = Math.round((cats[id].score ?? 0) * 100);
      console.log(`  ${id}: ${score}`);
      if (score < 95) fail(`Lighthouse ${id} = ${score}, want >= 95`);
      for (const ref of cats[id].auditRefs) {
        const a = res.lhr.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`    ${a.id}: ${a.score} ${a.displayValue || ""} ${a.title}`);
      }
    }
    if (res.lhr.runtimeError) fail(`Lighthouse runtime error: ${res.lhr.runtimeError.message}`);
  } finally {
    chrome.kill();
  }
}

async function linkCheck(base) {
  section("linkinator");
  const { LinkChecker } = await import("linkinator");
  const checker = new LinkChecker();
  const result = await checker.check({
    path: base + "/", recurse: true, checkCss: true, checkFragments: true, concurrency: 8, timeout: 10000,
    // cleanUrls stops linkinator taking /tag/data for a directory and so
    // resolving "#main_content" on it to /tag/data/#main_content.
    cleanUrls: true,
    // Share links and other sites cannot be reached from a test machine;
    // everything on the site itself is followed.
    linksToSkip: async (link) => !link.startsWith(base),
  });
  const broken = result.links.filter((l) => l.state === "BROKEN");
  for (const l of broken) fail(`broken link ${l.url} (${l.status}) on ${l.parent}`);
  const ok = result.links.filter((l) => l.state === "OK").length;
  const skipped = result.links.filter((l) => l.state === "SKIPPED").length;
  console.log(`  ${ok} links OK, ${broken.length} broken, ${skipped} off-site skipped`);
  return result.links.filter((l) => l.state === "OK" && l.url.startsWith(base)).map((l) => l.url);
}

async function shareMetadata(pages, base) {
  section("open-graph-scraper, JSON-LD");
  const { default: ogs } = await import("open-graph-scraper");
  for (const p of pages.filter((p) => p.name.startsWith("article"))) {
    const { error, result } = await ogs({ url: p.url });
    if (error) { fail(`ogs ${p.path}: ${JSON.stringify(result)}`); continue; }
    const h1 = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(p.html)[1].replace(/<[^>]+>/g, "").trim();
    const checks = [
      ["ogType", result.ogType, "article"],
      ["ogTitle", result.ogTitle, h1],
      ["ogUrl", result.ogUrl, decodeURI(p.url) === result.ogUrl ? result.ogUrl : p.url],
      ["twitterCard", result.twitterCard, "summary_large_image"],
      ["ogSiteName", result.ogSiteName, "Folio"],
    ];
    for (const [k, got, want] of checks) if (got !== want) fail(`ogs ${p.name} ${k} = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    if (!result.ogDescription) fail(`ogs ${p.name}: no og:description`);
    const img = result.ogImage && result.ogImage[0];
    const timg = result.twitterImage && result.twitterImage[0];
    if (!img || !img.url.endsWith("/share.png") || !timg || timg.url !== img.url) {
      fail(`ogs ${p.name}: og:image ${JSON.stringify(img)} twitter:image ${JSON.stringify(timg)}`);
    } else {
      const r = await fetch(new URL(img.url, base));
      const buf = Buffer.from(await r.arrayBuffer());
      const w = buf.readUInt32BE(16), h = buf.readUInt32BE(20);
      if (r.status !== 200 || r.headers.get("content-type") !== "image/png" || w !== 1200 || h !== 630) {
        fail(`share card ${img.url}: ${r.status} ${r.headers.get("content-type")} ${w}x${h}`);
      } else {
        console.log(`  ${p.name}: og/twitter OK, card ${w}x${h} ${buf.length} bytes`);
      }
    }
    // JSON-LD: the properties Google's NewsArticle documentation lists.
    const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(p.html);
    let ld;
    try { ld = JSON.parse(m[1]); } catch (e) { fail(`JSON-LD ${p.name}: ${e}`); continue; }
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
    if (ld["@context"] !== "https://schema.org" || ld["@type"] !== "NewsArticle") fail(`JSON-LD ${p.name}: type ${ld["@type"]}`);
    if (!ld.headline || ld.headline.length > 110) fail(`JSON-LD ${p.name}: headline ${JSON.stringify(ld.headline)}`);
    if (!iso.test(ld.datePublished) || !iso.test(ld.dateModified)) fail(`JSON-LD ${p.name}: dates ${ld.datePublished} ${ld.dateModified}`);
    if (!Array.isArray(ld.image) || !ld.image.every((u) => u.startsWith("http"))) fail(`JSON-LD ${p.name}: image ${ld.image}`);
    if (!Array.isArray(ld.author) || !ld.author.every((a) => a["@type"] === "Person" && a.name && a.url)) fail(`JSON-LD ${p.name}: author`);
    if (!ld.publisher || !ld.publisher.name) fail(`JSON-LD ${p.name}: publisher`);
    if (p.name === "article" && !(ld.isPartOf && ld.isPartOf["@type"] === "CreativeWorkSeries" && ld.isPartOf.url)) fail(`JSON-LD ${p.name}: isPartOf`);
  }
}

async function seoUnique(urls) {
  section("titles and descriptions");
  const seen = new Map();
  const pages = [...new Set(urls.map((u) => u.split("#")[0]))].filter((u) => !/\.(css|js|png|xml|json|txt)$/.test(u) && !u.includes("/static/"));
  for (const u of pages) {
    const r = await fetch(u);
    if (!r.headers.get("content-type")?.startsWith("text/html")) continue;
    const html = await r.text();
    const title = (/<title>([^<]*)<\/title>/.exec(html) || [])[1];
    const desc = (/<meta name="description" content="([^"]*)"/.exec(html) || [])[1];
    if (!title) fail(`${u}: no <title>`);
    if (!desc) fail(`${u}: no meta description`);
    for (const [k, v] of [["title", title], ["description", desc]]) {
      if (!v) continue;
      const key = k + "\0" + v;
      if (seen.has(key)) fail(`${k} ${JSON.stringify(v)} on both ${seen.get(key)} and ${u}`);
      seen.set(key, u);
    }
  }
  console.log(`  ${pages.length} pages: titles and descriptions unique`);
}

async function pageWeight(article) {
  section("page weight");
  const html = Buffer.byteLength(article.html);
  let total = html;
  for (const m of article.html.matchAll(/(?:href|src)="(\/static\/[^"]+\.(?:css|js))"/g)) {
    const r = await fetch(new URL(m[1], article.url));
    total += (await r.arrayBuffer()).byteLength;
  }
  console.log(`  article page: ${html} bytes HTML, ${total} bytes HTML+CSS+JS (limit 61440)`);
  if (total >= 60 * 1024) fail(`article page weighs ${total} bytes`);
}

async function main() {
  const bin = arg("--folio");
  if (!bin || !existsSync(bin)) throw new Error("usage: node check-site.mjs --folio PATH_TO_FOLIO_BINARY");
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}`);
  const started = Date.now();
  const { base, stop } = await startFolio(bin);
  try {
    const pages = pagesOf(base);
    await fetchPages(pages);
    vnu(pages);
    await browserChecks(pages, base);
    await lighthouseCheck(pages.find((p) => p.name === "article").url);
    const urls = await linkCheck(base);
    await shareMetadata(pages, base);
    await seoUnique(urls);
    await pageWeight(pages.find((p) => p.name === "article"));
  } finally {
    stop();
  }
  console.log(`\nsite checks: ${failures.length === 0 ? "all passed" : failures.length + " failed"} in ${Math.round((Date.now() - started) / 1000)} s`);
  if (failures.length) process.exit(1);
}

main().catch((e) => { console.error(e); process.exit(1); });
