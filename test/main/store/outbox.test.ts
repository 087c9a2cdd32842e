import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../main/store/database';
import { Outbox } from '../../../main/store/outbox';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'siteflash-outbox-'));
  db = openDatabase({ dataDir: dir }).db;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Outbox', () => {
  it('ignores a second enqueue with the same idempotency key', () => {
    const o = new Outbox(db);
    expect(o.enqueue('result', { a: 1 }, 'k1', 10)).toBe(true);
    expect(o.enqueue('result', { a: 2 }, 'k1', 11)).toBe(false);
    expect(o.count()).toBe(1);
    expect(JSON.parse(o.due(10, 10)[0]?.payload ?? 'null')).toEqual({ a: 1 });
  });

  it('hands out due rows of one kind, oldest first, and holds back rows waiting for their retry time', () => {
    const o = new Outbox(db);
    o.enqueueMany(
      [
        { kind: 'audit', payload: { n: 1 }, idempotencyKey: 'a1' },
        { kind: 'result', payload: { n: 2 }, idempotencyKey: 'r1' },
        { kind: 'audit', payload: { n: 3 }, idempotencyKey: 'a2' },
      ],
      0,
    );
    expect(o.due(0, 10).map((r) => r.idempotencyKey)).toEqual(['a1', 'a2']);
    o.fail([o.due(0, 1)[0]?.id ?? -1], 'HTTP 500', 5_000);
    expect(o.due(0, 10).map((r) => r.idempotencyKey)).toEqual(['r1']);
    expect(o.nextDueAt()).toBe(0);
    o.acknowledge(['r1', 'a2']);
    expect(o.due(0, 10)).toEqual([]);
    expect(o.nextDueAt()).toBe(5_000);
    const [row] = o.due(5_000, 10);
    expect(row).toMatchObject({ idempotencyKey: 'a1', attempts: 1, lastError: 'HTTP 500' });
  });

  it('makes rows waiting out a backoff due at once on retryNow, but not parked ones', () => {
    const o = new Outbox(db);
    o.enqueueMany(
      [
        { kind: 'result', payload: {}, idempotencyKey: 'later' },
        { kind: 'result', payload: {}, idempotencyKey: 'parked' },
      ],
      0,
    );
    o.fail([o.due(0, 1)[0]?.id ?? -1], 'offline', 300_000);
    o.park([{ idempotencyKey: 'parked', error: 'no' }]);
    expect(o.due(10, 10)).toEqual([]);
    expect(o.retryNow(10)).toBe(1);
    expect(o.due(10, 10).map((r) => r.idempotencyKey)).toEqual(['later']);
  });

  it('keeps parked rows counted but never due again', () => {
    const o = new Outbox(db);
    o.enqueue('result', {}, 'bad', 0);
    o.park([{ idempotencyKey: 'bad', error: 'unknown device' }]);
    expect(o.due(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
    expect(o.nextDueAt()).toBeNull();
    expect(o.count()).toBe(1);
  });

  it('refuses a payload that is not JSON at the database level', () => {
    expect(() => db.prepare("INSERT INTO outbox (kind, payload, idempotency_key, created_at) VALUES ('result', '{oops', 'x', 0)").run()).toThrow(
      /CHECK constraint/,
    );
  });
});
