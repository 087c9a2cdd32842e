import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../main/sim/manual-clock';
import { SimDevice, type SimDeviceOptions } from '../../../main/sim/device';
import { SimTransport } from '../../../main/sim/sim-transport';
import { framingFor } from '../../../main/smp/framing-for';
import { decodePacket } from '../../../main/smp/packet';
import { asRecorded, fromHex, loadTranscript, toHexText, type RecordedExchange, type Transcript } from './transcript';

const RECOVERY = loadTranscript('mcuboot-serial-recovery');

/** A personality on a fake clock behind the serial transport, fed the recorded wire bytes. */
function rig(opts: Partial<SimDeviceOptions>) {
  const clock = new ManualClock();
  const device = new SimDevice({ board: 'sf-dev-1', id: '0011223344556677', clock, ...opts });
  if (!opts.image) device.flash.erase(0); // the recordings start on blank flash unless a run says otherwise
  const transport = new SimTransport(device, { clock, framing: 'serial', baud: 0 });
  const answers: Uint8Array[] = [];
  const decoder = framingFor('serial').createDecoder();
  transport.onOutput((unit) => answers.push(...decoder.push(unit, clock.now()).packets));
  return { clock, device, transport, answers };
}

/** Replays every exchange of one build; returns [recorded, answered] hex pairs for comparison. */
function replay(t: Transcript, build: string, opts: Partial<SimDeviceOptions>): { step: string; recorded: string; answered: string }[] {
  const r = rig(opts);
  const restarts = new Set(t.events.filter((e) => e.build === build && e.event === 'peer_restarted').map((e) => e.after_exchange_index));
  const rows: { step: string; recorded: string; answered: string }[] = [];
  for (const ex of t.exchanges.filter((e) => e.build === build)) {
    r.answers.length = 0;
    r.transport.input(fromHex(ex.request.framed_hex));
    r.clock.runUntilIdle(60_000);
    rows.push({
      step: `${ex.index} ${ex.step}`,
      recorded: ex.outcome === 'answered' ? (ex.response?.smp_hex ?? '') : 'silent',
      answered: r.answers.length === 0 ? 'silent' : r.answers.map(toHexText).join(' + '),
    });
    if (restarts.has(ex.index)) {
      // The recorder killed the process and started it again on the same flash: RAM is gone.
      r.device.powerLoss(10);
      r.clock.runUntilIdle(60_000);
    }
  }
  return rows;
}

describe('the mcuboot-recovery personality answers the recorded requests with the recorded bytes (smp.md §11.1)', () => {
  for (const build of ['default', 'full'] as const) {
    it(`${build} build: every exchange of transcripts/mcuboot-serial-recovery.json`, () => {
      const rows = replay(RECOVERY, build, { personality: 'mcuboot-recovery', recoveryBuild: build, recoveryOnReset: 'stay' });
      expect(rows.length).toBeGreaterThan(290);
      const differing = rows.filter((row) => row.recorded !== row.answered);
      expect(differing).toEqual([]);
    });
  }
});

describe("the client's decoder reads every recorded answer as recorded", () => {
  const check = (exchanges: RecordedExchange[]) => {
    const decoder = framingFor('serial').createDecoder();
    let n = 0;
    for (const ex of exchanges) {
      if (ex.outcome !== 'answered' || !ex.response) continue;
      const out = decoder.push(fromHex(ex.response.framed_hex), 0);
      expect(out.dropped, ex.step).toEqual([]);
      expect(out.packets.map(toHexText), ex.step).toEqual([ex.response.smp_hex]);
      const decoded = decodePacket(out.packets[0] as Uint8Array);
      if (!decoded.ok) throw decoded.error;
      expect(asRecorded(decoded.body), ex.step).toEqual(ex.response.smp.body);
      n++;
    }
    return n;
  };

  it('MCUboot serial recovery: indefinite-length maps, rc-only errors, rounded offsets', () => {
    expect(check(RECOVERY.exchanges)).toBeGreaterThan(600);
  });

  it('Zephyr smp_svr', () => {
    expect(check(loadTranscript('zephyr-smp-svr').exchanges)).toBeGreaterThan(470);
  });
});

const ZEPHYR = loadTranscript('zephyr-smp-svr');

describe('the zephyr personality answers the recorded requests of transcripts/zephyr-smp-svr.json (smp.md §11.2)', () => {
  it('every exchange of runs A, B and C', async () => {
    const s01 = new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(new URL('../../../../shared/vectors/images/s01_ed25519_basic.bin', import.meta.url))));
    const rows: { step: string; recorded: string; answered: string }[] = [];
    for (const run of ['A', 'B', 'C']) {
      const exchanges = ZEPHYR.exchanges.filter((e) => (e as RecordedExchange & { run: string }).run === run);
      // Run B starts with s01 written into slot 0; A and C on blank flash.
      const r = rig({ personality: 'zephyr', board: 'native_sim_64', ...(run === 'B' ? { image: s01 } : {}) });
      for (const ex of exchanges) {
        r.answers.length = 0;
        r.transport.input(fromHex(ex.request.framed_hex));
        r.clock.runUntilIdle(60_000);
        rows.push({
          step: `${ex.index} ${ex.step}`,
          recorded: ex.outcome === 'answered' ? (ex.response?.smp_hex ?? '') : 'silent',
          answered: r.answers.length === 0 ? 'silent' : r.answers.map(toHexText).join(' + '),
        });
      }
    }
    expect(rows.length).toBe(ZEPHYR.exchanges.length);
    expect(rows.filter((row) => row.recorded !== row.answered)).toEqual([]);
  });
});
