import { describe, expect, it } from 'vitest';
import { EXIT, UsageError, wholeNumber, type CliContext } from '../../../main/cli/command';
import { reportFileError } from '../../../main/cli/file-error';
import { jobSummary } from '../../../main/cli/job-terminal';
import { parsePortArgs } from '../../../main/cli/port-session';
import { SiteflashError } from '../../../main/errors';
import type { DeviceSnapshot, JobSnapshot } from '../../../main/jobs/types';

const NO_PROGRESS = { bytes: 0, total: 0, rate: 0, etaSeconds: null };

function device(key: string, over: Partial<DeviceSnapshot>): DeviceSnapshot {
  const base: DeviceSnapshot = { key, link: key, state: 'done', reason: null, reasonKind: null, deviceId: null, board: null, fromVersion: null, toVersion: null, paused: false, retries: 0, attempt: 1, progress: NO_PROGRESS, ledPrompt: null, ledAnswers: [] };
  return { ...base, ...over };
}

function job(devices: DeviceSnapshot[], network?: JobSnapshot['network']): JobSnapshot {
  const policy = { ledConfirm: true, retries: 3, afterRejoin: 'confirm' as const };
  return { id: 'j1', state: 'finished', createdAt: 0, technician: 'ada', site: null, release: 'fw', policy, devices, progress: NO_PROGRESS, counts: { done: 1, failed: 1 }, ...(network ? { network } : {}) };
}

function context(json: boolean): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), json, isTTY: false, dataDir: '/nowhere', signal: new AbortController().signal };
}

describe('jobSummary', () => {
  const devices = [device('serial:/dev/a', { fromVersion: '1.0.0', toVersion: '1.1.0' }), device('serial:/dev/b', { state: 'failed', toVersion: '1.1.0', reason: 'The device did not answer.' })];

  it('prints counts per state, then each device with its versions and reason', () => {
    expect(jobSummary(job(devices))).toBe(['Job j1: finished — 1 done, 1 failed', '  serial:/dev/a  done  1.0.0 → 1.1.0', '  serial:/dev/b  failed  ? → 1.1.0  The device did not answer.'].join('\n'));
  });

  it('adds the old/new/unknown counts of a network job', () => {
    expect(jobSummary(job([], { old: 1, new: 2, unknown: 0 }))).toBe('Job j1: finished — 1 done, 1 failed; on the new settings 2, on the old 1, unknown 0');
  });
});

describe('parsePortArgs', () => {
  it('names a serial link at the default baud rate and keeps the command’s own options', () => {
    const args = parsePortArgs(['--port', '/dev/ttyACM0', '--force', 'x'], { force: { type: 'boolean' } });
    expect(args.descriptor).toEqual({ kind: 'serial', path: '/dev/ttyACM0', baudRate: 115200 });
    expect(args.values.force).toBe(true);
    expect(args.positionals).toEqual(['x']);
  });

  it('refuses a missing port and a baud rate that is not a whole number', () => {
    expect(() => parsePortArgs([], {})).toThrow(UsageError);
    expect(() => parsePortArgs(['--port', '/dev/a', '--baud', '9600.5'], {})).toThrow(/--baud must be a whole number of at least 1/);
  });
});

describe('wholeNumber', () => {
  it('accepts whole numbers from the minimum and refuses the rest', () => {
    expect(wholeNumber('0', '--retries', 0)).toBe(0);
    expect(() => wholeNumber('0', '--window')).toThrow(UsageError);
    expect(() => wholeNumber('abc', '--window')).toThrow(/not "abc"/);
  });
});

describe('reportFileError', () => {
  it('prints an unreadable file as one JSON document and exits unreachable', () => {
    const ctx = context(true);
    expect(reportFileError(new SiteflashError('image-unreadable', 'Cannot read a.bin.'), 'a.bin', true, ctx)).toBe(EXIT.unreachable);
    expect(JSON.parse(ctx.stdout.join(''))).toMatchObject({ file: 'a.bin', error: { kind: 'image-unreadable', message: 'Cannot read a.bin.' } });
  });

  it('prints a cancelled read on stderr and exits interrupted', () => {
    const ctx = context(false);
    expect(reportFileError(new SiteflashError('aborted', 'Image verification was cancelled.'), 'a.bin', false, ctx)).toBe(EXIT.interrupted);
    expect(ctx.stderr).toEqual(['Image verification was cancelled.']);
    expect(ctx.stdout).toEqual([]);
  });

  it('throws anything that is not a SiteflashError on, as a bug', () => {
    expect(() => reportFileError(new TypeError('boom'), 'a.bin', false, context(false))).toThrow(TypeError);
  });
});
