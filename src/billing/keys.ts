// Keys of the small dimension tables (charges, bill contexts) are a hash of their text, so every
// worker, batch and restart names the same charge with the same key without coordinating.
// 53 bits keep them exact in a JS number; the store checks that a key never names two texts.

/** cyrb53: a fast, well-mixed 53-bit string hash (public domain, bryc). */
export function dimensionKey(parts: readonly string[]): number {
  const text = parts.join('\u0001');
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
