// Debian's Chromium for the browser tests, driven by playwright-core (whose own browser download
// cannot work here). `ensureBrowser` runs once per test run from the global setup; the tests
// launch through `launchBrowser` so the path and flags live in one place.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** The Noto CJK font: without it zh-CN pages render as boxes in screenshots. */
const CJK_FONT_PACKAGE = 'fonts-noto-cjk';
const PACKAGES = ['chromium', CJK_FONT_PACKAGE];
const INSTALL_HINT = `apt-get update && apt-get install -y ${PACKAGES.join(' ')}`;

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

function installed(pkg: string): boolean {
  return spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') ?? false;
}

/**
 * Makes sure Chromium and the CJK font are there: present → nothing to do; missing and we are root
 * on a Debian-like system → install them with apt (as `.ci/run` used to); otherwise one line saying
 * which command to run. Never a silent skip: a browser test that did not run has not passed.
 */
export function ensureBrowser(log: (line: string) => void): void {
  const missing = PACKAGES.filter((pkg) => (pkg === 'chromium' ? !existsSync(CHROMIUM) : !installed(pkg)));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`the browser tests need Debian's ${missing.join(' and ')}: run \`sudo ${INSTALL_HINT}\` once, then the tests again`);
  }
  log(`installing ${missing.join(', ')} (Debian packages) for the browser tests…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (run.status !== 0) {
      throw new Error(`apt-get ${args[0]} failed (${run.stderr?.trim().split('\n').at(-1) ?? `exit ${run.status}`}); install the browser with \`${INSTALL_HINT}\``);
    }
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} is missing; install it with \`${INSTALL_HINT}\``);
}
