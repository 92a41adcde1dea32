import type { ServerResponse } from 'node:http';

/** Writes a large text in 64 KiB pieces, waiting for the socket to drain (a real server's pacing). */
export async function writeInPieces(res: ServerResponse, text: string): Promise<void> {
  const PIECE = 64 * 1024;
  for (let i = 0; i < text.length; i += PIECE) {
    if (res.destroyed) return;
    if (!res.write(text.slice(i, i + PIECE))) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
}
