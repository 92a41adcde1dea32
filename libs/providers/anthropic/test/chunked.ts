/** `bytes` cut into pieces of `size` bytes (the last may be shorter); size 0 means one piece. */
export function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  if (size === 0) return [bytes];
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}

export const CHUNK_SIZES: ReadonlyArray<[string, number]> = [
  ['1-byte', 1],
  ['7-byte', 7],
  ['whole', 0],
];
