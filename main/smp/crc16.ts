/**
 * CRC-16/XMODEM (smp.md §6.1): polynomial 0x1021, initial value 0, no reflection, no final XOR
 * (Zephyr's `crc16_itu_t` with seed 0). Check value: CRC("123456789") = 0x31C3.
 */

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

/** CRC-16/XMODEM of `bytes`, continuing from `crc` (0 to start). */
export function crc16Xmodem(bytes: Uint8Array, crc = 0): number {
  let c = crc & 0xffff;
  for (const b of bytes) c = ((c << 8) & 0xffff) ^ (TABLE[((c >> 8) ^ b) & 0xff] as number);
  return c;
}
