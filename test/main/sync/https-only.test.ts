import { describe, expect, it } from 'vitest';
import { cloudRequest, secureCloudUrl, type CloudEndpoint } from '../../../main/sync/http';
import { TestCloud } from './server';
import { seededRng } from './fakes';
import { TOKEN } from './harness';

/** An endpoint whose fetch and token are the functions passed in; both record what they are asked. */
function endpoint(baseUrl: string, sent: { url: string; authorization: string | null }[], tokenReads: string[]): CloudEndpoint {
  return {
    baseUrl,
    token: async () => {
      tokenReads.push(baseUrl);
      return TOKEN;
    },
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      sent.push({ url: String(input), authorization: headers.get('authorization') });
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    },
  };
}

describe('the cloud is reached over https only (plain http to this computer only)', () => {
  for (const url of ['http://cloud.example.com', 'http://10.0.0.5:8080', 'http://[2001:db8::1]', 'http://127.0.0.1.evil.example', 'ftp://cloud.example.com']) {
    it(`refuses ${url} before the token is read or anything is sent`, async () => {
      const sent: { url: string; authorization: string | null }[] = [];
      const tokenReads: string[] = [];
      const run = cloudRequest(endpoint(url, sent, tokenReads), '/v1/sites', { timeoutMs: 5_000 });
      await expect(run).rejects.toMatchObject({ kind: 'insecure-url', transient: false });
      await expect(run).rejects.toThrow(/not https:\/\/; siteflash sends the access token only over https/);
      expect(sent).toEqual([]);
      expect(tokenReads).toEqual([]);
    });
  }

  it('refuses an absolute http path on an https cloud (the host is checked, not the base)', () => {
    expect(() => secureCloudUrl('http://cloud.example.com/v1/bundles/x', 'https://cloud.example.com')).toThrow(/not https/);
  });

  for (const url of ['https://cloud.example.com', 'http://127.0.0.1:9', 'http://127.8.9.10', 'http://localhost:3000', 'http://[::1]:8080']) {
    it(`sends the token to ${url}`, async () => {
      const sent: { url: string; authorization: string | null }[] = [];
      const res = await cloudRequest(endpoint(url, sent, []), '/v1/sites', { timeoutMs: 5_000 });
      expect(res.status).toBe(200);
      expect(sent).toEqual([{ url: new URL('/v1/sites', url).href, authorization: `Bearer ${TOKEN}` }]);
    });
  }

  it('still syncs with a real test cloud on plain http://127.0.0.1', async () => {
    const cloud = new TestCloud({ token: TOKEN, rng: seededRng(1), faults: {}, bundles: new Map(), record: true });
    const baseUrl = await cloud.start();
    try {
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      const res = await cloudRequest({ baseUrl, fetch, token: async () => TOKEN }, '/v1/health', { timeoutMs: 10_000, auth: false });
      expect(res.status).toBe(200);
      await res.body?.cancel();
    } finally {
      await cloud.close();
    }
  });
});
