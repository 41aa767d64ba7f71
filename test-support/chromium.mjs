// Finds a Chromium for the browser tests and the demo's browser check, in this order:
// CHROMIUM_PATH, the browser Playwright installs (`npx playwright-core install chromium`, the
// same installer as `npx playwright install chromium`), Debian's /usr/bin/chromium, Google Chrome.
// Plain JavaScript because Jest's global setup and the demo load it outside any TS transform.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

/** Google Chrome where its installers put it, per platform. */
const GOOGLE_CHROME = {
  linux: ['/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'],
  win32: [
    `${process.env.PROGRAMFILES ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
};

/**
 * @typedef {{ path: string, source: string }} FoundChromium
 * @typedef {{ source: string, path: string }} Candidate
 */

/**
 * Every place looked at, in order (the first that exists wins).
 * @param {{ env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform }} [options]
 * @returns {Candidate[]}
 */
export function chromiumCandidates({ env = process.env, platform = process.platform } = {}) {
  /** @type {Candidate[]} */
  const candidates = [];
  if (env.CHROMIUM_PATH) candidates.push({ source: 'CHROMIUM_PATH', path: env.CHROMIUM_PATH });
  for (const found of playwrightChromiums())
    candidates.push({ source: 'Playwright (npx playwright-core install chromium)', path: found });
  if (platform === 'linux') candidates.push({ source: 'Debian/Ubuntu', path: '/usr/bin/chromium' });
  for (const chrome of GOOGLE_CHROME[platform] ?? [])
    candidates.push({ source: 'Google Chrome', path: chrome });
  return candidates;
}

/**
 * The Chromium to launch, or undefined with nothing installed.
 * @param {{ env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform }} [options]
 * @returns {FoundChromium | undefined}
 */
export function findChromium(options = {}) {
  const candidates = chromiumCandidates(options);
  // A CHROMIUM_PATH that is set is what the user wants: a wrong one is reported, not skipped.
  const wanted = candidates[0]?.source === 'CHROMIUM_PATH' ? candidates.slice(0, 1) : candidates;
  return wanted.find((candidate) => isExecutable(candidate.path));
}

/**
 * The Chromium to launch; throws naming every place looked at and how to install one.
 * @returns {FoundChromium}
 */
export function requireChromium() {
  const found = findChromium();
  if (found) return found;
  if (process.env.CHROMIUM_PATH) {
    throw new Error(
      `CHROMIUM_PATH is ${process.env.CHROMIUM_PATH}, which is not an executable file: ` +
        'point it at a Chromium or Chrome binary, or unset it to look in the usual places.',
    );
  }
  const looked = chromiumCandidates().map(
    (candidate) => `  ${candidate.path} (${candidate.source})`,
  );
  throw new Error(
    `No Chromium found. Looked at:\n${looked.join('\n')}\n` +
      'Install one with: npx playwright-core install chromium (or set CHROMIUM_PATH).',
  );
}

/**
 * Playwright's own Chromium for this playwright-core version first (its executablePath() knows
 * the registry folder, PLAYWRIGHT_BROWSERS_PATH included), then other revisions in that folder:
 * `npx playwright install chromium` may come from a `playwright` release other than ours.
 * @returns {string[]}
 */
function playwrightChromiums() {
  const own = chromium.executablePath();
  const match = /^(.*)[\\/]chromium-(\d+)[\\/](.+)$/.exec(own);
  if (!match) return [own];
  const [, registry, revision, inside] = match;
  /** @type {string[]} */
  let others = [];
  if (existsSync(registry)) {
    others = readdirSync(registry)
      .map((name) => /^chromium-(\d+)$/.exec(name)?.[1])
      .filter((found) => found !== undefined && found !== revision)
      .sort((a, b) => Number(b) - Number(a))
      .map((found) => path.join(registry, `chromium-${found}`, inside));
  }
  return [own, ...others];
}

function isExecutable(/** @type {string} */ file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
