import { useState } from 'preact/hooks';
import type { SessionUser } from '../../shared/session';
import type { StatsResponse, StatsTop } from '../../shared/stats';
import type { ApiClient } from '../api/client';
import { useStats } from '../hooks/use-stats';
import { useI18n, type I18n } from '../i18n';
import { CHART_TYPES, countOf, StatsChart } from './stats-chart';
import { TargetPicker } from './target-picker';

const PERIODS = [7, 30, 90];

/** The scopes a user may ask for: their own mail, each domain they administer, the site for super users. */
const scopesOf = (user: SessionUser): string[] => ['user', ...user.domains, ...(user.role === 'super' ? ['site'] : [])];

/** A top list (senders or recipients) with its counts. */
function TopList({ title, items }: { title: string; items: StatsTop[] }) {
  return (
    <div>
      <h4 class="aq-h4">{title}</h4>
      <ol class="aq-top">
        {items.map((top) => (
          <li key={top.address}>
            <span class="aq-wrap">{top.address || '<>'}</span> <span class="aq-score">{top.count}</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** The period's totals and rates as a description list, and the one-line description of the chart. */
function totalsOf(stats: StatsResponse, t: I18n['t'], locale: string) {
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const rows = [
    ['st_quarantined', stats.totals.quarantined, ''],
    ['s_released', stats.totals.released, pct.format(stats.rates.released)],
    ['s_requested', stats.totals.requested, pct.format(stats.rates.requested)],
    ['s_deleted', stats.totals.deleted, pct.format(stats.rates.deleted)],
  ] as const;
  return { rows, text: rows.map(([key, n, rate]) => `${t(key)} ${n}${rate ? ` (${rate})` : ''}`).join(', ') };
}

/**
 * Statistics: quarantined mail per day by type (a chart, and the same numbers in a table), the period's
 * totals and rates, and for admins whose mail it is (theirs, a domain, the site) and the top senders and
 * recipients. The server decides what each user may ask for; the choice offers only that.
 */
export function StatsView({ client, user }: { client: ApiClient; user: SessionUser }) {
  const { t, locale, dateTime } = useI18n();
  const scopes = scopesOf(user);
  const [scope, setScope] = useState('user');
  const [days, setDays] = useState(30);
  const { stats, error } = useStats(client, scope, days);
  const totals = stats && totalsOf(stats, t, locale);
  const types = stats ? CHART_TYPES.filter((type) => stats.days.some((d) => countOf(d, type) > 0)) : [];

  return (
    <section class="aq-stats" aria-label={t('stats')} aria-busy={!stats}>
      <div class="aq-toolbar">
        <TargetPicker
          value={scope}
          options={scopes}
          label={(s) => (s === 'user' ? t('you') : s === 'site' ? t('everyone') : s)}
          onChange={setScope}
          anyDomain={user.role === 'super'}
          domainValue={(d) => d}
        />
        <label class="aq-check">
          {t('period')}
          <select class="aq-input" value={days} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {PERIODS.map((n) => (
              <option key={n} value={n}>
                {t('lastDays', { n })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="aq-error" role="alert">
        {error}
      </p>
      {!stats || !totals ? (
        !error && <p class="aq-muted">{t('loading')}</p>
      ) : (
        <>
          <dl class="aq-totals">
            {totals.rows.map(([key, n, rate]) => (
              <div key={key}>
                <dt>{t(key)}</dt>
                <dd>
                  {n} {rate && <span class="aq-muted">{rate}</span>}
                </dd>
              </div>
            ))}
          </dl>
          <StatsChart days={stats.days} description={`${t('lastDays', { n: stats.days.length })}: ${totals.text}`} />
          <details class="aq-why">
            <summary>{t('statsTable')}</summary>
            {/* Focusable, so that the keyboard can scroll a table wider than a phone. */}
            <div class="aq-scroll" tabIndex={0} role="region" aria-label={t('statsTable')}>
              <table class="aq-table">
                <thead>
                  <tr>
                    <th scope="col">{t('day')}</th>
                    {types.map((type) => (
                      <th key={type} scope="col">
                        {t(`t_${type}`)}
                      </th>
                    ))}
                    <th scope="col">{t('st_quarantined')}</th>
                    <th scope="col">{t('s_released')}</th>
                    <th scope="col">{t('s_requested')}</th>
                    <th scope="col">{t('s_deleted')}</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.days.map((d) => (
                    <tr key={d.day}>
                      <th scope="row">{d.day}</th>
                      {types.map((type) => (
                        <td key={type}>{countOf(d, type)}</td>
                      ))}
                      <td>{d.total}</td>
                      <td>{d.released}</td>
                      <td>{d.requested}</td>
                      <td>{d.deleted}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
          {stats.topSenders && stats.topRecipients && (
            <div class="aq-tops">
              <TopList title={t('topSenders')} items={stats.topSenders} />
              <TopList title={t('topRecipients')} items={stats.topRecipients} />
            </div>
          )}
          {stats.topBasis && stats.topBasis.copies >= stats.topBasis.limit && <p class="aq-muted">{t('topBasis', { n: stats.topBasis.copies })}</p>}
          <p class="aq-muted">{t('upTo', { time: Date.parse(stats.upTo) > 0 ? dateTime(stats.upTo) : '—' })}</p>
        </>
      )}
    </section>
  );
}
