/**
 * Test helper: a real RTSP server (GStreamer's gst-rtsp-server, driven by
 * `../fixtures/rtsp-server.py`) serving a video file on 127.0.0.1, which a test
 * can kill and restart on the same port.
 *
 * Needs the Debian packages python3-gi, gir1.2-gst-rtsp-server-1.0 and
 * gstreamer1.0-plugins-good, and a Python that sees them: `VIDAI_TEST_PYTHON`,
 * default `/usr/bin/python3` (the system Python, not a pyenv/venv one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../fixtures/rtsp-server.py', import.meta.url));
const running = new Set<ChildProcess>();

/** Kills every server started by this process that is still running (for `afterAll`). */
export async function killAllRtspServers(): Promise<void> {
  await Promise.all([...running].map((child) => killAndWait(child)));
}

/** A running RTSP server. */
export interface RtspTestServer {
  /** TCP port it listens on (127.0.0.1). */
  port: number;
  /** `rtsp://127.0.0.1:<port><mount>`. */
  url: string;
  /** PID of the server process. */
  pid: number;
  /** Kills the server at once (SIGKILL, as a crash would) and waits until it has exited. */
  kill(): Promise<void>;
}

/** Starts the server; `port` 0 lets the system choose a free port. */
export async function startRtspServer(video: string, options: { port?: number; mount?: string } = {}): Promise<RtspTestServer> {
  const mount = options.mount ?? '/stream';
  const python = process.env.VIDAI_TEST_PYTHON || '/usr/bin/python3';
  // stdin stays open as a lifeline: the server exits when this process does.
  const child = spawn(python, [script, video, String(options.port ?? 0), mount], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(
        new Error(
          `RTSP test server did not start (${why}). It needs ${python} with GStreamer's RTSP server: ` +
            `apt-get install -y --no-install-recommends python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good ` +
            `(or set VIDAI_TEST_PYTHON). stderr: ${stderr.trim()}`,
        ),
      );
    };
    const timer = setTimeout(() => fail('no port after 15 s'), 15_000);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`exited with code ${code}`));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /PORT (\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(Number(match[1]));
      }
    });
  });
  return {
    port,
    url: `rtsp://127.0.0.1:${port}${mount}`,
    pid: child.pid as number,
    kill: () => killAndWait(child),
  };
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGCONT'); // in case a test stopped it
    child.kill('SIGKILL');
  });
}
