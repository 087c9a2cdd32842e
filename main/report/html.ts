import type { LedAnswer } from '../jobs/types';
import type { VisitReport } from './types';

const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** Local date and time, to the second, as the technician reads it. */
function when(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const clock = (ms: number) => when(ms).slice(11);
const short = (hex: string | null) => (hex ? `${hex.slice(0, 12)}…` : '—');
const led = (a: LedAnswer) => `${a.pattern} ${a.seen ? 'seen' : 'NOT seen'} ${clock(a.at)}`;

/**
 * The report as one self-contained HTML page (no scripts, no outside resources), laid out for A4:
 * what a person prints or mails as PDF. The signed JSON stays the record; this page says which
 * report it shows (visit id, laptop key fingerprint).
 */
export function reportHtml(r: VisitReport): string {
  const rows = r.devices
    .map(
      (d) => `<tr class="${d.result === 'done' ? '' : 'bad'}">
  <td class="nw">${esc(d.deviceId ?? d.deviceKey)}</td><td class="nw">${esc(d.board ?? '—')}</td><td class="nw">${esc(d.fromVersion ?? '—')}</td><td class="nw">${esc(d.toVersion ?? '—')}</td>
  <td class="mono nw">${esc(short(d.imageSha256))}</td><td class="nw">${esc(d.result)}${d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}</td><td>${d.retries}</td>
  <td class="nw">${d.ledAnswers.map((a) => esc(led(a))).join('<br>') || '—'}</td><td class="nw">${esc(clock(d.at))}</td></tr>`,
    )
    .join('\n');
  const releases = r.jobs
    .map(
      (j) => `<li><b>${esc(j.release.name)}</b> — job ${esc(j.id)} (${esc(j.kind)}, ${esc(j.state)})<br>
  ${j.release.bundleId ? `bundle <span class="mono">${esc(j.release.bundleId)}</span>, manifest SHA-256 <span class="mono">${esc(j.release.manifestSha256 ?? '—')}</span>` : j.release.kind === 'image' ? 'a single image file (no release bundle)' : ''}
  ${j.release.components.length ? `<br>${j.release.components.map((c) => `${esc(c.board ?? 'any board')} ${esc(c.version)} <span class="mono">${esc(short(c.sha256))}</span>`).join('; ')}` : ''}</li>`,
    )
    .join('\n');
  const attention = r.needsAttention.length
    ? `<table><thead><tr><th>Device</th><th>Board</th><th>Result</th><th>Reason</th><th>What to try</th></tr></thead><tbody>
${r.needsAttention.map((n) => `<tr><td class="nw">${esc(n.deviceId ?? n.deviceKey)}</td><td class="nw">${esc(n.board ?? '—')}</td><td class="nw">${esc(n.result)}</td><td>${esc(n.reason ?? '')}</td><td>${esc(n.whatToTry)}</td></tr>`).join('\n')}
</tbody></table>`
    : '<p>None: every device ended done.</p>';
  const totals = r.totals
    .map((t) => `<tr><td>${esc(t.board)}</td><td>${t.devices}</td><td>${t.done}</td><td>${t.failed}</td><td>${t.rolledBack}</td><td>${t.cancelled}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Visit report ${esc(r.visit.id)}</title>
<style>
  @page { size: A4; margin: 14mm 12mm; }
  body { font: 10pt/1.35 system-ui, 'DejaVu Sans', sans-serif; color: #111; margin: 0; }
  h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 11.5pt; margin: 5mm 0 1.5mm; border-bottom: 1px solid #999; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.5mm 4mm; margin: 0; } dt { color: #444; } dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; font-size: 8.5pt; } th, td { border: 1px solid #bbb; padding: 1mm 1.4mm; text-align: left; vertical-align: top; }
  th { background: #eee; } .nw { white-space: nowrap; } tr.bad td { background: #fdecea; } tr { break-inside: avoid; }
  .mono { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; word-break: break-all; } .mono.nw { word-break: normal; } ul { margin: 0; padding-left: 5mm; }
  footer { margin-top: 5mm; font-size: 8pt; color: #444; }
</style></head>
<body>
<h1>Visit report — ${esc(r.visit.site ?? 'no site')}</h1>
<dl>
  <dt>Visit</dt><dd class="mono">${esc(r.visit.id)}</dd>
  <dt>Technician</dt><dd>${esc(r.visit.technician)}</dd>
  <dt>Date</dt><dd>${esc(r.visit.date)}, ${esc(clock(r.visit.from))} – ${esc(clock(r.visit.to))}</dd>
  <dt>Devices</dt><dd>${r.totals.reduce((n, t) => n + t.devices, 0)} (${r.totals.reduce((n, t) => n + t.done, 0)} done, ${r.needsAttention.length} need attention)</dd>
  <dt>Made</dt><dd>${esc(when(r.generatedAt))} by siteflash ${esc(r.generator.version)}</dd>
</dl>
<h2>Releases</h2>
<ul>${releases}</ul>
<h2>Totals per board</h2>
<table><thead><tr><th>Board</th><th>Devices</th><th>Done</th><th>Failed</th><th>Rolled back</th><th>Cancelled</th></tr></thead><tbody>
${totals}
</tbody></table>
<h2>Devices</h2>
<table><thead><tr><th>Device</th><th>Board</th><th>Before</th><th>After</th><th>Image SHA-256</th><th>Result</th><th>Retries</th><th>LED answers</th><th>Ended</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Needs attention</h2>
${attention}
<footer>Signed (Ed25519, detached <span class="mono">.sig</span>) by the laptop key <span class="mono">${esc(r.laptopKey.fingerprint)}</span>.
Audit chain head: row ${r.auditChain.head.id}, <span class="mono">${esc(r.auditChain.head.hash)}</span>.
Check the JSON file with <span class="mono">siteflash report verify</span>; this page is a printout of it.</footer>
</body></html>
`;
}
