/**
 * Launches the machine's headless Chromium (`/usr/bin/chromium`, or `VIDAI_CHROMIUM`)
 * through playwright-core for the end-to-end tests and benchmarks. Each launch gets a
 * fresh user-data directory (removed on close) and a fake camera that plays a y4m file.
 * Never run `npx playwright install`: the system browser is the one under test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Options for {@link launchChromium}. */
export interface LaunchChromiumOptions {
  /** y4m file the fake camera plays in a loop. Default: Chromium's built-in test pattern. */
  y4m?: string;
  /** Chromium executable. Default: `VIDAI_CHROMIUM` or `/usr/bin/chromium`. */
  executablePath?: string;
  /** Extra command-line flags, appended after the defaults. Default: none. */
  args?: string[];
  /** Grant camera/microphone permission to every origin. Default: true. */
  grantMedia?: boolean;
  /** Device pixels per CSS pixel of every page. Default: 1. */
  deviceScaleFactor?: number;
}

/** A running browser: a persistent context on a throwaway profile. */
export interface ChromiumHandle {
  /** The browser context; open pages with `context.newPage()`. */
  context: BrowserContext;
  /** The profile directory in use (removed by `close()`). */
  userDataDir: string;
  /** Closes the browser and removes the profile; safe to call twice. */
  close(): Promise<void>;
}

/** Flags every test browser gets (software rendering, fake media devices, loopback ICE). */
export function chromiumArgs(y4m?: string): string[] {
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    '--allow-loopback-in-peer-connection',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (y4m) args.push(`--use-file-for-fake-video-capture=${y4m}`);
  return args;
}

/** Starts headless Chromium with a fake camera; close the handle when done. */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<ChromiumHandle> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'vidai-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: options.executablePath ?? process.env.VIDAI_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      // playwright's own --headless flag would select the old mode; ours are the full set.
      ignoreDefaultArgs: ['--headless'],
      args: [...chromiumArgs(options.y4m), ...(options.args ?? [])],
      ...(options.deviceScaleFactor !== undefined ? { deviceScaleFactor: options.deviceScaleFactor } : {}),
    });
    if (options.grantMedia ?? true) await context.grantPermissions(['camera', 'microphone']);
    // Functions passed to page.evaluate from files run by tsx carry esbuild's `__name` helper calls.
    await context.addInitScript('globalThis.__name ??= (fn) => fn;');
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    userDataDir,
    close() {
      closed ??= (async () => {
        await context.close().catch(() => {});
        await rm(userDataDir, { recursive: true, force: true });
      })();
      return closed;
    },
  };
}
