/** Files that must survive a crash whole: written beside, fsynced, renamed over, directory fsynced. */
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Replace `dir/name` with `text` atomically and durably: a crash at any point leaves either the
 * old file or the new one, never a torn one, and once this resolves the new one survives power loss.
 */
export async function writeFileDurably(dir: string, name: string, text: string, mode = 0o600): Promise<void> {
  const file = join(dir, name);
  const tmp = `${file}.tmp`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
