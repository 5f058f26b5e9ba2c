/**
 * The phone-to-desktop example as a user runs it: one command (`tsx
 * examples/phone-to-desktop/server.ts`) serves both pages and the signaling server; a
 * desktop Chromium opens `/`, which shows the room link and its QR code; a second
 * Chromium (the phone, fake camera playing dog.jpg) opens that link; the desktop page
 * shows the detections and the phone page the boxes it got back, also after the phone
 * page is reloaded.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type ChromiumHandle } from './helpers/chromium.js';
import { startExampleProcess, type ExampleProcess } from './helpers/example-process.js';
import { imageDir, modelDir } from './helpers/detector-app.js';
import { makeY4m, type Y4mFile } from './helpers/y4m.js';

let y4m: Y4mFile;
let example: ExampleProcess;
let base: string;
let desktopBrowser: ChromiumHandle;
let phoneBrowser: ChromiumHandle;

const text = (page: Page, selector: string) => page.locator(selector).textContent();

beforeAll(async () => {
  y4m = await makeY4m(join(imageDir, 'dog.jpg'), { fps: 15, duration: 2 });
  [example, desktopBrowser, phoneBrowser] = await Promise.all([
    startExampleProcess(['--import', 'tsx', 'examples/phone-to-desktop/server.ts', '--port', '0'], { VIDAI_MODEL_DIR: modelDir }),
    launchChromium(),
    launchChromium({ y4m: y4m.path }),
  ]);
  base = example.url;
}, 120_000);

afterAll(async () => {
  await Promise.all([desktopBrowser?.close(), phoneBrowser?.close()]);
  await example?.stop();
  await y4m?.remove();
});

describe('examples/phone-to-desktop', () => {
  it('shows a room link and QR code on the desktop; the phone opening it gets its video detected and the boxes back', async () => {
    const desktop = await desktopBrowser.context.newPage();
    // The pages' console, shown if the boxes do not come back.
    const logs: string[] = [];
    desktop.on('console', (m) => logs.push(`desktop ${m.type()}: ${m.text()}`));
    await desktop.goto(`${base}/`);
    const senderUrl = await desktop.locator('#sender-link').getAttribute('href');
    expect(senderUrl).toMatch(new RegExp(`^${base}/send#room=[\\w-]{22}&token=[\\w-]{43}$`));
    // The room is kept in the desktop's URL, so a reload keeps it.
    expect(new URL(desktop.url()).hash).toBe(new URL(senderUrl!).hash);
    // The QR code is drawn (dark modules on the canvas).
    const dark = await desktop.evaluate(() => {
      const canvas = document.querySelector('#qr') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 64) n++;
      return { n, size: canvas.width };
    });
    expect(dark.size).toBeGreaterThan(100);
    expect(dark.n).toBeGreaterThan(1000);
    await expect.poll(() => text(desktop, '#room-state'), { timeout: 10_000 }).toBe('joined');

    const phone = await phoneBrowser.context.newPage();
    phone.on('console', (m) => logs.push(`phone ${m.type()}: ${m.text()}`));
    await phone.goto(senderUrl!);
    await expect.poll(async () => Number(await text(desktop, '#count')), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(5);
    await expect.poll(async () => Number(await text(phone, '#count')), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(3);
    expect(await text(desktop, '#peer-state')).toBe('connected');
    expect(await text(desktop, '#model')).toMatch(/^yolox-nano on wasm/);
    const desktopLabels = await text(desktop, '#labels');
    for (const label of ['dog', 'bicycle', 'car']) expect(desktopLabels).toContain(label);
    const phoneLabels = (await text(phone, '#labels'))!.split(', ');
    expect(phoneLabels).toEqual(expect.arrayContaining(['dog', 'bicycle', 'car']));
    expect(await text(phone, '#viewers')).toBe('1 viewer');
    expect(await text(phone, '#error')).toBe('');
    expect(await text(desktop, '#error')).toBe('');

    // Reloading the phone page: it rejoins with its tab's peer id, the desktop takes the new
    // connection on the same <video> and detection loop, and the boxes come back.
    const before = Number(await text(desktop, '#count'));
    await phone.reload();
    const state = async () =>
      `phone: ${await text(phone, '#room-state')}, ${await text(phone, '#viewers')}, error "${await text(phone, '#error')}"; ` +
      `desktop: room ${await text(desktop, '#room-state')}, peer ${await text(desktop, '#peer-state')}, count ${await text(desktop, '#count')} (was ${before}), ` +
      `rate "${await text(desktop, '#rate')}", error "${await text(desktop, '#error')}", video ${await desktop.evaluate(() => {
        const v = document.querySelector('video')!;
        return `${v.videoWidth}x${v.videoHeight} readyState ${v.readyState} paused ${v.paused} at ${v.currentTime.toFixed(2)} s`;
      })}\n${logs.join('\n')}`;
    await expect
      .poll(async () => Number(await text(phone, '#count')), { timeout: 60_000, interval: 250, message: 'boxes back on the phone after its reload' })
      .toBeGreaterThanOrEqual(3)
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\n${await state()}`);
      });
    expect(Number(await text(desktop, '#count'))).toBeGreaterThan(before);
    expect(await text(desktop, '#peer-state')).toBe('connected');
    expect(await text(phone, '#viewers')).toBe('1 viewer');
  }, 240_000);
});
