/** Ephemeral ports for test processes: the OS picks them, so parallel runs never collide. */
import { createServer } from 'node:net';

/** A port the OS just handed out on 127.0.0.1 (released again for the child to bind). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}
