import { describe, expect, it } from 'vitest';
import { auditCsv, csvField } from '../../../main/jobs/csv';
import type { AuditEntry } from '../../../main/store/audit';

describe('CSV export', () => {
  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(12)).toBe('12');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('a=b')).toBe('a=b');
  });

  it('writes a header and one CRLF-terminated line per audit row', () => {
    const row: AuditEntry = {
      jobId: 'j1', deviceKey: 'serial:/dev/ttyACM0', attempt: 1, at: Date.UTC(2026, 10, 23, 12, 0, 0), technician: 'Ada, T.', site: '=cmd',
      deviceId: '00124b0001020304', board: 'nrf52840dk', fromVersion: '1.0.0+0', toVersion: '1.1.0+0', imageSha256: 'ab'.repeat(32),
      link: 'serial:/dev/ttyACM0', startedAt: 0, durationMs: 12_340, ledAnswers: [{ pattern: 'update-mode', seen: true, at: 1 }], result: 'done', reason: null,
    };
    const text = auditCsv([row]);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('time,technician,site,device_id,board,from_version,to_version,image_sha256,link,duration_s,led_answers,result,reason,job_id,attempt');
    expect(lines[1]).toBe(`2026-11-23T12:00:00.000Z,"Ada, T.",'=cmd,00124b0001020304,nrf52840dk,1.0.0+0,1.1.0+0,${'ab'.repeat(32)},serial:/dev/ttyACM0,12.3,update-mode:seen,done,,j1,1`);
    expect(lines[2]).toBe('');
  });
});
