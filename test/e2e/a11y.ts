import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/** The impacts a scan fails on. */
const BLOCKING: readonly ImpactValue[] = ['serious', 'critical'];

/** The outcome of {@link scanA11y}: the blocking violations and a summary to print or assert on. */
export interface A11yReport {
  /** Violations of impact serious or critical. */
  violations: Result[];
  /** Milder violations (minor, moderate), for the curious; they do not fail a test. */
  minor: Result[];
  /** One line per blocking rule, with up to five offending elements each; "no serious or critical violations" when clean. */
  summary: string;
}

/**
 * Runs axe-core on the page as it is now and returns its serious and critical violations.
 *
 * axe is injected with `page.evaluate(source)`, not `page.addScriptTag({ content })`: the app's CSP
 * (`script-src 'self'`) blocks the inline script tag that addScriptTag adds, while evaluate runs
 * through the DevTools protocol, which CSP does not govern. The page's own policy stays as it is.
 */
export async function scanA11y(page: Page, options: RunOptions = {}): Promise<A11yReport> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // The callbacks below run in the page; `globalThis` there is its window (this tsconfig has no DOM types).
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate((opts) => {
    const win = globalThis as unknown as { document: unknown; axe: { run(context: unknown, o: object): Promise<AxeResults> } };
    return win.axe.run(win.document, opts);
  }, { resultTypes: ['violations'], ...options } as RunOptions);
  const violations = results.violations.filter((v) => v.impact && BLOCKING.includes(v.impact));
  const minor = results.violations.filter((v) => !violations.includes(v));
  return { violations, minor, summary: summarize(violations) };
}

function summarize(violations: readonly Result[]): string {
  if (violations.length === 0) return 'no serious or critical violations';
  return violations
    .map((v) => {
      const nodes = v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`);
      const more = v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more`] : [];
      return [`${v.impact} ${v.id}: ${v.help} (${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'}) ${v.helpUrl}`, ...nodes, ...more].join('\n');
    })
    .join('\n');
}
