/**
 * Fragmentation with parity fragments in the manner of LoRaWAN Fragmented Data Block Transport
 * (TS004 v1.0.0 §5 and its Annex "fragmentation algorithm"): an image is cut into K data
 * fragments; parity fragment n (n = 1, 2, …) is the XOR of the data fragments its parity-matrix
 * line selects. A receiver that misses up to about as many fragments as it received parity for
 * rebuilds the missing ones by Gaussian elimination over GF(2). Pure: no I/O, no timers.
 */

/** The next state of the 23-bit PRBS (TS004 Annex, `prbs23`). */
export function prbs23(x: number): number {
  const b0 = x & 1;
  const b1 = (x & 32) >> 5;
  return (x >>> 1) + ((b0 ^ b1) << 22);
}

/** Parity-matrix line of parity fragment `n` (1-based) over `k` data fragments: ⌊k/2⌋ distinct ones (TS004 Annex, `matrix_line`). */
export function parityLine(n: number, k: number): boolean[] {
  const line = new Array<boolean>(k).fill(false);
  if (k === 1) {
    line[0] = true;
    return line;
  }
  let m = 1;
  while (m < k) m <<= 1;
  let x = 1 + 1001 * n;
  for (let c = 0; c < Math.floor(k / 2); c++) {
    let r = 1 << 16;
    while (r >= k || line[r]) {
      x = prbs23(x);
      r = x % m;
    }
    line[r] = true;
  }
  return line;
}

/** Cuts `bytes` into fragments of `size` (the last one zero-padded to `size`). */
export function dataFragments(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const f = new Uint8Array(size);
    f.set(bytes.subarray(at, Math.min(bytes.length, at + size)));
    out.push(f);
  }
  return out;
}

/** Parity fragment `n` (1-based) of the data fragments. */
export function parityFragment(data: readonly Uint8Array[], n: number): Uint8Array {
  const size = data[0]?.length ?? 0;
  const out = new Uint8Array(size);
  parityLine(n, data.length).forEach((on, i) => on && xorInto(out, data[i] as Uint8Array));
  return out;
}

/** Number of parity fragments for `k` data fragments at `redundancy` percent. */
export function parityCount(k: number, redundancy: number): number {
  return Math.ceil((k * redundancy) / 100);
}

/**
 * The receiving side: takes fragments by index (0..K−1 data, K.. parity n = index − K + 1) and
 * rebuilds missing data fragments from parity as soon as the equations allow.
 */
export class FragmentDecoder {
  private readonly data: (Uint8Array | undefined)[];
  /** Reduced parity equations over missing data fragments, keyed by their lowest missing index. */
  private readonly pivots = new Map<number, { cols: Set<number>; bytes: Uint8Array }>();
  private have = 0;
  /** Data fragments rebuilt from parity (not received as such). */
  repaired = 0;

  constructor(readonly k: number) {
    this.data = new Array<Uint8Array | undefined>(k).fill(undefined);
  }

  /** True when every data fragment is known. */
  get complete(): boolean {
    return this.have === this.k;
  }

  /** Indices of data fragments still unknown. */
  missing(): number[] {
    const out: number[] = [];
    this.data.forEach((f, i) => f === undefined && out.push(i));
    return out;
  }

  /** Data fragments known (received or rebuilt). */
  get known(): number {
    return this.have;
  }

  /** Takes fragment `index`; returns the number of data fragments it made known (0 if none). */
  push(index: number, payload: Uint8Array): number {
    const before = this.have;
    if (index < this.k) {
      if (this.data[index] === undefined) this.learn(index, payload.slice());
    } else {
      const line = parityLine(index - this.k + 1, this.k);
      const cols = new Set<number>();
      const bytes = payload.slice();
      line.forEach((on, i) => {
        if (!on) return;
        const d = this.data[i];
        if (d) xorInto(bytes, d);
        else cols.add(i);
      });
      this.reduce(cols, bytes);
    }
    return this.have - before;
  }

  /** The rebuilt bytes, cut to `length`; undefined while incomplete. */
  assemble(length: number): Uint8Array | undefined {
    if (!this.complete) return undefined;
    const size = this.data[0]?.length ?? 0;
    const out = new Uint8Array(this.k * size);
    this.data.forEach((f, i) => out.set(f as Uint8Array, i * size));
    return out.subarray(0, length);
  }

  private learn(index: number, bytes: Uint8Array): void {
    this.data[index] = bytes;
    this.have++;
    // Substitute the new fragment into every stored equation; some may now solve.
    for (const [pivot, eq] of [...this.pivots]) {
      if (!eq.cols.has(index)) continue;
      this.pivots.delete(pivot);
      eq.cols.delete(index);
      xorInto(eq.bytes, bytes);
      this.reduce(eq.cols, eq.bytes);
    }
  }

  /** Gaussian elimination of one equation against the stored pivots. */
  private reduce(cols: Set<number>, bytes: Uint8Array): void {
    for (;;) {
      if (cols.size === 0) return; // dependent: nothing new
      const low = Math.min(...cols);
      const eq = this.pivots.get(low);
      if (!eq) break;
      for (const c of eq.cols) if (cols.has(c)) cols.delete(c);
      else cols.add(c);
      xorInto(bytes, eq.bytes);
    }
    if (cols.size === 1) {
      const [i] = cols as unknown as [number];
      this.repaired++;
      this.learn(i, bytes);
      return;
    }
    this.pivots.set(Math.min(...cols), { cols, bytes });
  }
}

function xorInto(into: Uint8Array, from: Uint8Array): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] as number) ^ (from[i] as number);
}
