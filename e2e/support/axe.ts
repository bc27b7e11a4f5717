import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** One axe finding, cut down to what a failing test needs to print. */
export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string; summary: string }>;
}

/** What axe checked and found in the widget: findings of every impact, and how many shadow-DOM nodes it looked at. */
export interface AxeReport {
  violations: AxeFinding[];
  /** Nodes inside a shadow root that some rule passed or failed: 0 would mean axe never saw the widget. */
  shadowNodes: number;
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * Runs axe-core on the widget in `page`: injects axe (once per document) and checks the host element,
 * whose open shadow root axe walks as part of the flattened tree. Only the widget is judged, not the
 * host page around it. The message body's sandboxed iframe is the mail's, not ours, and axe cannot enter it. The report counts the shadow nodes axe saw, so that a test can prove it looked inside.
 */
export async function axeWidget(page: Page, host = 'amavis-quarantine'): Promise<AxeReport> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeSource });
  return page.evaluate(async (selector) => {
    type Node = { target: unknown[]; failureSummary?: string };
    type Result = { id: string; impact?: string | null; help: string; nodes: Node[] };
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Result[]; passes: Result[] }> } }).axe;
    const result = await axe.run({ include: [[selector]] }, { resultTypes: ['violations', 'passes'], iframes: false });
    // A node inside a shadow root is targeted by a list of selectors: the host's, then the node's inside it.
    const inShadow = (n: Node) => Array.isArray(n.target[0]) && (n.target[0] as unknown[]).length > 1;
    return {
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: JSON.stringify(n.target), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300) })),
      })),
      shadowNodes: [...result.violations, ...result.passes].reduce((sum, r) => sum + r.nodes.filter(inShadow).length, 0),
    };
  }, host);
}

/** The findings a WCAG 2.2 AA gate fails on: serious and critical. */
export const seriousFindings = (report: AxeReport): AxeFinding[] => report.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
