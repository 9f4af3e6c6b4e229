// Starts the bare node:http echo (echoServer.mjs) as its own process: the machine's ceiling for a
// load, and its floor for a read's latency (the same requests to a server that does nothing).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Start the echo server process; resolves {url, pid, stop}. */
export function startEcho() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./echoServer.mjs', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      resolve({
        url: `http://127.0.0.1:${line.trim()}`,
        pid: child.pid,
        stop: () =>
          new Promise((r) => {
            child.removeAllListeners('exit');
            child.once('exit', r);
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
