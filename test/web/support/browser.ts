// Debian's Chromium driven by playwright-core, with the fake microphone playing an espeak-ng WAV, plus the checks
// every page gets: axe-core (no serious or critical violations) and screenshots at desktop and phone sizes.
import AxeBuilder from '@axe-core/playwright';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Screenshots land here (ignored by git); look at them after a run. */
export const screenshotDir = path.join(root, 'test-results', 'web');

/**
 * The API serves web/dist; build it when a fresh clone has none. Test files run in parallel, so each builds into a
 * folder of its own and renames it into place: a reader never sees a half-written dist.
 */
export function ensureWebBuilt(): void {
  const dist = path.join(root, 'web', 'dist');
  if (existsSync(path.join(dist, 'index.html'))) return;
  const staging = path.join(root, 'web', `.dist-${process.pid}-${Date.now()}`);
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      'web',
      '--outDir',
      staging,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    // Vitest sets NODE_ENV=test, which Vite would honour with a development build of React (slower, larger):
    // the tests look at what users get.
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  );
  try {
    // A dist that appeared meanwhile came from another test file's build of the same sources: keep it.
    if (!existsSync(dist)) renameSync(staging, dist);
  } catch {
    // Lost the race to rename; the winner's build serves.
  }
  rmSync(staging, { recursive: true, force: true });
}

/** An espeak-ng recording at 48 kHz mono, with `leadSeconds` of silence before the words; `voice` `ar` for Arabic. */
export function speechWav(text: string, leadSeconds = 0, voice = 'en-us'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'web-voice-'));
  const raw = path.join(dir, 'raw.wav');
  const out = path.join(dir, 'voice.wav');
  execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', raw, text]);
  execFileSync('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', out, 'pad', String(leadSeconds), '1']);
  return out;
}

/** Seconds of digital silence at 48 kHz mono: a microphone that hears nothing (no speech segments, no beep). */
export function silenceWav(seconds = 2): string {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'web-silence-')), 'silence.wav');
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', out, 'trim', '0', String(seconds)]);
  return out;
}

/**
 * A microphone that says its WAV when the test says so, and is silent otherwise: the page's own `getUserMedia`
 * (the browser's fake device, so permission and device choice work as they do) answered with a WebAudio track.
 * Chrome's fake capture plays its file on its own clock from each capture's start, so a test that had to mute
 * before the file's words began depended on the machine's speed (in CI the Arabic test once waited a minute for a
 * reply to its consent: words heard as the greeting starts end a turn while the greeting, which cannot be
 * interrupted, plays, and the SDK drops that turn; the emulated STT has spent its line on them).
 * `speak()` plays the WAV into the capture the page has open now and resolves when it has been played.
 */
export async function scriptedMicrophone(context: BrowserContext, wav: string) {
  await context.addInitScript(`(() => {
    const wav = Uint8Array.from(atob(${JSON.stringify(readFileSync(wav).toString('base64'))}), (c) => c.charCodeAt(0));
    const devices = navigator.mediaDevices;
    const real = devices.getUserMedia.bind(devices);
    const captures = [];
    let audio;
    devices.getUserMedia = async (constraints) => {
      if (!constraints?.audio) return real(constraints);
      const stream = await real(constraints);
      const [device] = stream.getAudioTracks();
      const settings = device.getSettings();
      device.stop();
      audio ??= new AudioContext({ sampleRate: 48000 });
      await audio.resume();
      const destination = audio.createMediaStreamDestination();
      const [track] = destination.stream.getAudioTracks();
      const own = track.getSettings.bind(track);
      track.getSettings = () => ({ ...own(), deviceId: settings.deviceId, groupId: settings.groupId });
      for (const video of stream.getVideoTracks()) destination.stream.addTrack(video);
      captures.push(destination);
      return destination.stream;
    };
    window.__microphone = {
      async speak() {
        const live = () => captures.findLast((d) => d.stream.getAudioTracks()[0].readyState === 'live');
        // Bounded by a deadline sized for a busy machine (the page opens its capture when its own code gets to it).
        for (const deadline = Date.now() + 30_000; !live() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
        const destination = live();
        if (!destination) throw new Error('the page has no microphone capture open');
        const source = audio.createBufferSource();
        source.buffer = await audio.decodeAudioData(wav.slice().buffer);
        source.connect(destination);
        await new Promise((resolve) => {
          source.onended = resolve;
          source.start();
        });
      },
    };
  })()`);
  return {
    /** Says the WAV into the page's open capture (waiting up to 10 s for one); resolves once it has been said. */
    speak: (page: Page) => page.evaluate('window.__microphone.speak()') as Promise<void>,
  };
}

export interface LaunchOptions {
  /** WAV the fake microphone plays once (or over and over, with `loop`). */
  wav?: string;
  loop?: boolean;
  /** Without the fake permission UI, so a denied microphone can be tested. */
  realPermissionUi?: boolean;
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (!options.realPermissionUi) args.push('--use-fake-ui-for-media-stream');
  if (options.wav) args.push(`--use-file-for-fake-audio-capture=${options.wav}${options.loop ? '' : '%noloop'}`);
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args });
}

export const viewports = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 360, height: 740 },
} as const;

export async function newPage(browser: Browser, viewport: keyof typeof viewports = 'desktop', locale = 'en-US') {
  const context: BrowserContext = await browser.newContext({ viewport: viewports[viewport], locale });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // What the page logged (livekit-client's connection changes among it), for a failed test's report.
  const logged: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'debug') return;
    logged.push(`${new Date().toISOString().slice(11, 23)} ${message.type()} ${message.text().slice(0, 300)}`);
    if (logged.length > 200) logged.shift();
  });
  return { context, page, errors, logged };
}

/**
 * Past the prepare page's microphone step, however the page takes it: it opens the microphone by itself when the
 * permission is already granted, or waits for its "Allow microphone" button. Which one happens is settled after the
 * first render (the permission query answers then), so a single look at the button can see one that is about to go.
 * This presses the button while it is offered, until the page shows the microphone (or says why it cannot).
 */
export async function allowMicrophone(page: Page, buttonName = 'Allow microphone'): Promise<void> {
  const allow = page.getByRole('button', { name: buttonName, disabled: false });
  const settled = page.locator('#mic-device').or(page.getByTestId('mic-problem'));
  await expect
    .poll(
      async () => {
        if ((await settled.count()) === 0 && (await allow.isVisible())) {
          // Gone before the press means the page opened the microphone itself: the next look sees it.
          await allow.click({ timeout: 2_000 }).catch(() => undefined);
        }
        return settled.count();
      },
      { message: 'the prepare page never opened the microphone, nor said why it could not' },
    )
    .toBeGreaterThan(0);
}

/** axe-core on the page as it is now; only serious and critical violations fail the test. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Screenshots at both sizes, and axe at both, of the same URL state (for pages reached by URL alone). */
export async function checkAtBothSizes(page: Page, name: string): Promise<string[]> {
  const violations: string[] = [];
  for (const [size, viewport] of Object.entries(viewports)) {
    await page.setViewportSize(viewport);
    violations.push(...(await axeViolations(page)));
    await screenshot(page, `${name}-${size}`);
  }
  await page.setViewportSize(viewports.desktop);
  return violations;
}

/**
 * The interview page as a failed test saw it: the interviewer's state and every transcript line, for the failure
 * report.
 */
export async function pageReport(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const state = document.querySelector('[data-testid=agent-state]')?.getAttribute('data-state');
    const lines = [...document.querySelectorAll('[data-testid=transcript] li')].map(
      (li) => li.getAttribute('data-who') + ': ' + (li.querySelector('.text')?.textContent ?? ''),
    );
    return [location.pathname, 'agent state: ' + state, ...lines].join('\\n');
  })()`);
}
