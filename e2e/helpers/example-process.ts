import { spawn, type ChildProcess } from 'node:child_process';

/** An example's server running as its own process, the way a user starts it. */
export interface ExampleProcess {
  /** The URL it printed, with `localhost` replaced by `127.0.0.1`. */
  url: string;
  /** Stops it (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Runs `node <args>` from the repository root and resolves once its output shows a
 * `http://localhost:<port>` URL; rejects with its output if it exits first.
 */
export function startExampleProcess(args: readonly string[], env: Record<string, string>): Promise<ExampleProcess> {
  const child: ChildProcess = spawn(process.execPath, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      const m = /(http:\/\/localhost:\d+)/.exec(output);
      if (m) resolve({ url: m[1]!.replace('localhost', '127.0.0.1'), stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the example exited with ${code}: ${output}`)));
  });
}
