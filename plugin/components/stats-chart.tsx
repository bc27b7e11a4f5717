import type { StatsDay } from '../../shared/stats';
import { useI18n } from '../i18n';

/** The types in stacking order (bottom first); `other` is what a day's total has beyond them. */
export const CHART_TYPES = ['spam', 'spammy', 'virus', 'banned', 'bad-header', 'bad-mime', 'oversized', 'unchecked', 'other'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/** One day's count of one type (`other`: the total less every named type). */
export const countOf = (day: StatsDay, type: ChartType): number =>
  type === 'other' ? day.total - Object.values(day.quarantined).reduce((n, v) => n + v, 0) : (day.quarantined[type] ?? 0);

/**
 * Quarantined mail per day as stacked bars, one colour per type, in inline SVG (no chart library: the
 * widget's size budget). The picture is described in words by its title and description; the numbers are
 * in the table beside it, for screen readers and for reading exact values.
 */
export function StatsChart({ days, description }: { days: StatsDay[]; description: string }) {
  const { t } = useI18n();
  const max = Math.max(1, ...days.map((d) => d.total));
  // 10 units a day, 100 high; the bars stretch to the width (preserveAspectRatio none), the labels are HTML.
  const bars = days.flatMap((day, i) => {
    let y = 100;
    return CHART_TYPES.map((type) => {
      const n = countOf(day, type);
      if (n <= 0) return null;
      const h = (n / max) * 96;
      y -= h;
      return (
        <rect key={`${day.day}-${type}`} class={`aq-bar aq-bar--${type}`} x={i * 10 + 1.5} y={y} width={7} height={h}>
          <title>{`${day.day}: ${t(`t_${type}`)} ${n}`}</title>
        </rect>
      );
    });
  });
  return (
    <figure class="aq-chart">
      <div class="aq-chart__plot">
        <span class="aq-chart__max aq-muted" aria-hidden="true">
          {max}
        </span>
        <svg role="img" aria-labelledby="aq-chart-t aq-chart-d" viewBox={`0 0 ${days.length * 10} 100`} preserveAspectRatio="none">
          <title id="aq-chart-t">{t('statsChart')}</title>
          <desc id="aq-chart-d">{description}</desc>
          <line class="aq-chart__axis" x1="0" y1="100" x2={days.length * 10} y2="100" />
          {bars}
        </svg>
      </div>
      <figcaption class="aq-chart__days aq-muted" aria-hidden="true">
        <span>{days[0]?.day}</span>
        <span>{days.at(-1)?.day}</span>
      </figcaption>
      <ul class="aq-legend">
        {CHART_TYPES.filter((type) => days.some((d) => countOf(d, type) > 0)).map((type) => (
          <li key={type}>
            <span class={`aq-swatch aq-bar--${type}`} aria-hidden="true" />
            {t(`t_${type}`)}
          </li>
        ))}
      </ul>
    </figure>
  );
}
