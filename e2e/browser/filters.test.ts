import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROLE_ENV, USERS } from '../support/api-client';
import { axeWidget, seriousFindings } from '../support/axe';
import { ARTIFACTS, VIEWPORTS } from '../support/browser';
import { sendSpamAndBanned } from '../support/send-mail';
import { searchFor, submitSignIn, widgetHarness } from '../support/widget-harness';

// The list's search in sight and its filters in a popover (issue 16, as Roundcube Elastic's search
// options), in real Chromium against the real stack: the Filters button counts the active filters, a
// filter applies at once and survives a reload (the URL hash), Esc and a click outside close the panel,
// Reset clears it, and axe finds nothing serious with it open. No empty band above the list while there
// is no status, and a status that appears on a wide widget does not push the list down.
describe('the list’s filters in a popover, in Chromium', () => {
  const tag = `Filters ${Math.random().toString(36).slice(2, 8)}`;

  const h = widgetHarness({
    env: () => ROLE_ENV,
    setup: async (api) => {
      // A spam and a blocked attachment: the type filter tells them apart.
      await sendSpamAndBanned(api.context, [USERS.alice.email], { spam: `${tag} spam`, banned: `${tag} invoice` });
    },
    timeout: 180_000,
  });
  const { w } = h;

  const toggle = (page: Page) => w(page).locator('button.aq-filter-toggle');
  const panel = (page: Page) => w(page).locator('#aq-filters');
  const subjects = async (page: Page) => (await w(page).locator('[data-aq-item] .aq-item__subject').allTextContents()).map((s) => s.trim()).sort();
  const settled = (page: Page) => w(page).locator('section.aq-list[aria-busy="false"]').waitFor({ timeout: 30_000 });
  const focusedClass = (page: Page) => page.evaluate(() => document.querySelector('amavis-quarantine')?.shadowRoot?.activeElement?.className ?? '');
  const box = async (page: Page, selector: string) => (await w(page).locator(selector).first().boundingBox())!;

  async function open(query: string, viewport: { width: number; height: number }): Promise<Page> {
    const page = await h.browser.newPage({ viewport });
    await page.goto(`${h.host.origin}/${query}`);
    await submitSignIn(page, USERS.alice);
    await settled(page);
    await searchFor(page, tag);
    await expect.poll(() => subjects(page), { timeout: 30_000 }).toEqual([`${tag} invoice`, `${tag} spam`]);
    await settled(page);
    return page;
  }

  async function noSeriousFindings(page: Page, label: string) {
    const report = await axeWidget(page);
    expect(report.shadowNodes, label).toBeGreaterThan(10);
    expect(
      seriousFindings(report).map((v) => `${label}: ${v.impact} ${v.id} (${v.help}) ${v.nodes.map((n) => `${n.target} ${n.summary}`).join(' | ')}`),
      label,
    ).toEqual([]);
  }

  it('at 1280×800: hidden until Filters is clicked, counted on the button, kept across a reload, closed by Esc and a click outside, cleared by Reset', async () => {
    const page = await open('', VIEWPORTS.desktop);
    // No status yet: no empty band between the header and the list (only the body's 16 px padding).
    expect(await w(page).locator('[data-aq-status]').count()).toBe(0);
    const header = await box(page, 'header.aq-header');
    const list = await box(page, 'section.aq-list');
    expect(list.y - (header.y + header.height)).toBeLessThanOrEqual(17);

    // The search is in sight, the filters are not.
    expect(await w(page).locator('input[type="search"]').isVisible()).toBe(true);
    expect(await panel(page).isVisible()).toBe(false);
    expect(await w(page).getByRole('combobox', { name: 'Type' }).isVisible()).toBe(false);
    expect(await toggle(page).getAttribute('aria-expanded')).toBe('false');
    const firstRow = await box(page, '[data-aq-item]');

    await w(page).getByRole('button', { name: 'Filters', exact: true }).click();
    await panel(page).waitFor({ state: 'visible' });
    expect(await toggle(page).getAttribute('aria-expanded')).toBe('true');
    // Anchored under the button, over the list (which does not move), as a popover.
    const [button, popover] = [await box(page, 'button.aq-filter-toggle'), await box(page, '#aq-filters')];
    expect(popover.y).toBeGreaterThanOrEqual(button.y + button.height);
    expect(Math.abs(popover.x + popover.width - (button.x + button.width))).toBeLessThanOrEqual(2);
    expect((await box(page, '[data-aq-item]')).y).toBe(firstRow.y);
    expect(await panel(page).evaluate((el) => getComputedStyle(el).position)).toBe('absolute');
    // Tab goes from the button into the panel.
    await toggle(page).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('amavis-quarantine')?.shadowRoot?.activeElement?.closest('label')?.textContent)).toContain('Type');
    await noSeriousFindings(page, 'desktop light, panel open');
    await page.screenshot({ path: path.join(ARTIFACTS, 'filters-desktop-light.png') });

    // A type applies at once: the list reloads with that type only, and the button counts it.
    await w(page).getByRole('combobox', { name: 'Type' }).selectOption('banned');
    await expect.poll(() => subjects(page), { timeout: 30_000 }).toEqual([`${tag} invoice`]);
    await settled(page);
    expect(await w(page).getByRole('button', { name: 'Filters, 1 active' }).count()).toBe(1);
    expect((await toggle(page).textContent())?.trim()).toBe('Filters1');
    expect(await panel(page).isVisible()).toBe(true);

    // Esc closes it, with focus back on the button.
    await w(page).getByRole('combobox', { name: 'Type' }).focus();
    await page.keyboard.press('Escape');
    await panel(page).waitFor({ state: 'hidden' });
    expect(await toggle(page).getAttribute('aria-expanded')).toBe('false');
    expect(await focusedClass(page)).toContain('aq-filter-toggle');

    // A reload keeps the filter and the count.
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 10_000 }).toContain('type=banned');
    await page.reload();
    await settled(page);
    await expect.poll(() => subjects(page), { timeout: 30_000 }).toEqual([`${tag} invoice`]);
    expect(await w(page).getByRole('button', { name: 'Filters, 1 active' }).count()).toBe(1);

    // A click outside closes it; Reset clears every filter (the search stays).
    await toggle(page).click();
    await panel(page).waitFor({ state: 'visible' });
    await w(page).locator('h2.aq-title').click();
    await panel(page).waitFor({ state: 'hidden' });
    await toggle(page).click();
    await w(page).getByRole('combobox', { name: 'Sort' }).selectOption('date-asc');
    await expect.poll(() => w(page).getByRole('button', { name: 'Filters, 2 active' }).count(), { timeout: 10_000 }).toBe(1);
    await w(page).getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => subjects(page), { timeout: 30_000 }).toEqual([`${tag} invoice`, `${tag} spam`]);
    expect(await w(page).getByRole('combobox', { name: 'Type' }).inputValue()).toBe('');
    expect(await w(page).getByRole('button', { name: 'Filters', exact: true }).count()).toBe(1);
    expect(await w(page).locator('input[type="search"]').inputValue()).toBe(tag);
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 10_000 }).not.toContain('type=');
    await page.close();
  }, 180_000);

  for (const [name, viewport, dark] of [
    ['desktop-dark', VIEWPORTS.desktop, true],
    ['phone-light', VIEWPORTS.phone, false],
    ['phone-dark', VIEWPORTS.phone, true],
  ] as const)
    it(`with the panel open, ${name}: no serious or critical axe finding${name.startsWith('phone') ? ', the full width' : ''}`, async () => {
      const page = await open(dark ? '?dark' : '', viewport);
      await toggle(page).click();
      await panel(page).waitFor({ state: 'visible' });
      if (name.startsWith('phone')) {
        const [toolbar, popover] = [await box(page, 'form.aq-toolbar'), await box(page, '#aq-filters')];
        expect(Math.abs(popover.x - toolbar.x)).toBeLessThanOrEqual(1);
        expect(Math.abs(popover.width - toolbar.width)).toBeLessThanOrEqual(1);
      }
      await noSeriousFindings(page, `${name}, panel open`);
      await page.screenshot({ path: path.join(ARTIFACTS, `filters-${name}.png`) });
      await page.close();
    }, 120_000);

  // Last: it releases the spam, which then leaves the 'Open' list the others look at.
  it('a status on a wide widget sits in the header, announced, and does not push the list down', async () => {
    const page = await open('', VIEWPORTS.desktop);
    const before = await box(page, 'section.aq-list');
    // r on the spam's row releases it (a plain spam asks nothing): "Released." is said.
    await w(page)
      .locator('[data-aq-item]', { hasText: `${tag} spam` })
      .focus();
    await page.keyboard.press('r');
    await w(page).locator('[data-aq-status="success"]').waitFor({ timeout: 30_000 });
    const live = w(page).locator('header.aq-header .aq-live[role="status"][aria-live="polite"]');
    expect(await live.locator('[data-aq-status]').count()).toBe(1);
    expect((await box(page, 'section.aq-list')).y).toBe(before.y);
    await page.screenshot({ path: path.join(ARTIFACTS, 'filters-status-desktop-light.png') });
    await page.close();
  }, 120_000);
});
