// Draws media/icon.png (128x128): a lifebuoy ring, red and white quarters, on a dark rounded square.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 128;
const px = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  px[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N; x++) {
    const o = y * (N * 4 + 1) + 1 + x * 4;
    const dx = x + 0.5 - N / 2,
      dy = y + 0.5 - N / 2;
    const r = Math.hypot(dx, dy);
    // rounded square background
    const q = Math.max(Math.abs(dx) - 44, 0) ** 2 + Math.max(Math.abs(dy) - 44, 0) ** 2;
    let c = q <= 18 * 18 ? [0x1e, 0x29, 0x3b, 255] : [0, 0, 0, 0];
    if (r >= 26 && r <= 50) {
      const a = Math.atan2(dy, dx) + Math.PI / 4;
      const quarter = Math.floor(((a + 2 * Math.PI) % (2 * Math.PI)) / (Math.PI / 2));
      c = quarter % 2 === 0 ? [0xe1, 0x1d, 0x48, 255] : [0xf8, 0xfa, 0xfc, 255];
    }
    px.set(c, o);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (b) => {
  let c = 0xffffffff;
  for (const v of b) c = crcTable[(c ^ v) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8;
ihdr[9] = 6;
writeFileSync(
  new URL('../media/icon.png', import.meta.url),
  Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(px)),
    chunk('IEND', Buffer.alloc(0)),
  ]),
);
