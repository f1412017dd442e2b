// The test-pattern source and the ffmpeg sources (a real ffmpeg subprocess on a real video file).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, test } from 'vitest';

import { openSource } from '../../device/sources/index.js';
import type { Frame } from '../../sdk/src/pipeline/source.js';

// Pulls frames without ending the iteration (leaving a for-await loop would close the source).
async function take(source: AsyncIterable<Frame>, count: number, hold = false): Promise<Frame[]> {
  const iterator = source[Symbol.asyncIterator]();
  const frames: Frame[] = [];
  while (frames.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    frames.push(next.value);
    if (!hold) next.value.release();
  }
  return frames;
}

describe('testsrc', () => {
  test('moving frames of the asked size from a fixed pool, with sequence numbers and capture times', async () => {
    const source = await openSource('testsrc:64x48?fps=200&pool=3');
    expect(source.format).toEqual({ kind: 'image', width: 64, height: 48, pixel: 'rgb24' });
    const before = Date.now();
    const frames = await take(source, 6);
    await source.close();
    expect(frames.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(frames.every((f) => f.data.length === 64 * 48 * 3)).toBe(true);
    expect(frames[0]!.timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(frames[5]!.timestamp).toBeGreaterThan(frames[0]!.timestamp);
    // Buffers are reused from the pool: at most three distinct ones.
    expect(new Set(frames.map((f) => f.data)).size).toBeLessThanOrEqual(3);
  });

  test('an exhausted pool drops frames and counts them instead of allocating', async () => {
    const source = await openSource('testsrc:16x16?fps=500&pool=2');
    const iterator = source[Symbol.asyncIterator]();
    const held = [(await iterator.next()).value as Frame, (await iterator.next()).value as Frame];
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(source.dropped).toBeGreaterThan(3);
    for (const f of held) f.release();
    const next = (await iterator.next()).value as Frame;
    expect(next.seq).toBeGreaterThan(2);
    await source.close();
  });

  test('bad specs are clear errors', async () => {
    await expect(openSource('testsrc:0x10')).rejects.toThrow(/width/);
    await expect(openSource('testsrc:10x10?color=red')).rejects.toThrow(/no option 'color'/);
    await expect(openSource('webcam:0')).rejects.toThrow(/unknown source kind/);
    await expect(openSource('nonsense')).rejects.toThrow(/KIND:TARGET/);
  });
});

describe('file (ffmpeg)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgelite-video-'));
  const video = join(dir, 'clip.mkv');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=80x60:rate=10:duration=1',
    '-c:v', 'ffv1', video]);

  test('decodes every frame of a file into pool buffers, at its size or a requested one', async () => {
    const source = await openSource(`file:${video}?realtime=0`);
    expect(source.format).toMatchObject({ width: 80, height: 60, pixel: 'rgb24' });
    const frames: Frame[] = [];
    for await (const frame of source) {
      frames.push(frame);
      frame.release();
    }
    expect(frames.length).toBe(10);
    expect(frames.map((f) => f.seq)).toEqual([...Array(10).keys()]);
    const scaled = await openSource(`file:${video}?realtime=0&size=32x24&pixel=yuyv422`);
    const [frame] = await take(scaled, 1);
    expect(frame!.data.length).toBe(32 * 24 * 2);
    await scaled.close();
  });

  test('decoded frames carry the picture: colourful, and moving from frame to frame', async () => {
    const source = await openSource(`file:${video}?realtime=0&pool=8`);
    const frames = await take(source, 6, true);
    const first = frames[0]!.data;
    expect(new Set(first).size).toBeGreaterThan(50);  // ffmpeg's testsrc: colour bars and a gradient
    let differing = 0;
    for (let i = 0; i < first.length; i++) if (first[i] !== frames[5]!.data[i]) differing++;
    expect(differing).toBeGreaterThan(first.length / 100);  // its counter and sweep move
    for (const f of frames) f.release();
    await source.close();
  });

  test('a missing file ends the iteration with a clear error', async () => {
    await expect(openSource('file:/nonexistent/video.mp4')).rejects.toThrow(/ffprobe|video/);
    const source = await openSource('file:/nonexistent/video.mp4?size=8x8');
    await expect(take(source, 1)).rejects.toThrow(/ffmpeg stopped/);
  });
});
