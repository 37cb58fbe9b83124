// The warranty as a picture: one row per item the engine reports (the device, each part card, the
// manufacturer's warranty, the legal guarantee), running periods in green, suspensions (repairs) in
// amber with stripes, the part still to run after today lighter, extensions and other changes as
// diamonds, and today's marker. Everything drawn comes from the engine's coverage report.
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../lib/api';
import { fmtDate, inLang } from '../lib/i18n';

/** The engine's coverage report, as the warranty lookup returns it; one item's coverage, its periods and changes. */
export type CoverageReport = Schemas['CoverageReport'];
type ItemCoverage = CoverageReport['device'];
type Interval = ItemCoverage['intervals'][number];
type Change = ItemCoverage['changes'][number];

const DAY = 86_400_000;
const toMs = (d: string) => Date.parse(`${d.slice(0, 10)}T00:00:00Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface Row { label: string; sub?: string; intervals: Interval[]; end?: string; changes: Change[]; rule?: string; tone: 'device' | 'part' | 'legal' | 'maker' }

export function WarrantyTimeline({ report, lang }: { report: CoverageReport; lang: string }) {
  const { t } = useTranslation();
  const today = report.at;
  const rows: Row[] = [];
  const d = report.device;
  rows.push({ label: t('timeline.device'), sub: d.term ? `${d.term} · ${d.rules.join(', ')}` : d.rules.join(', '), intervals: d.intervals, end: d.end, changes: d.changes, tone: 'device' });
  if (d.manufacturer) rows.push({ label: t('timeline.manufacturer'), sub: d.manufacturer.provider ?? d.manufacturer.rule, intervals: d.start ? [{ from: d.start, to: d.manufacturer.end, kind: 'running', rule: d.manufacturer.rule }] : [], end: d.manufacturer.end, changes: [], tone: 'maker' });
  for (const p of report.parts) rows.push({ label: `${t('timeline.part')}: ${p.item}`, sub: [p.category, p.term, p.rules.join(', ')].filter(Boolean).join(' · '), intervals: p.intervals, end: p.end, changes: p.changes, tone: 'part' });
  const lg = report.legalGuarantee;
  if (lg) rows.push({ label: t('timeline.legal'), sub: `${lg.rule}${lg.suspendedDays ? ` · +${lg.suspendedDays} ${t('timeline.daysSuspended')}` : ''}`, intervals: lg.intervals, end: lg.end, changes: [], tone: 'legal' });

  // The span: the earliest start to the latest end, today included, with a margin.
  const dates = [today, ...rows.flatMap((r) => [...r.intervals.flatMap((i) => [i.from, i.to ?? today]), r.end ?? today, ...r.changes.map((c) => c.date)])];
  let min = Math.min(...dates.map(toMs));
  let max = Math.max(...dates.map(toMs));
  const pad = Math.max((max - min) * 0.04, 10 * DAY);
  min -= pad;
  max += pad;

  const W = 1000, LEFT = 210, RIGHT = 20, ROW = 46, TOP = 34;
  const H = TOP + rows.length * ROW + 30;
  const x = (date: string) => LEFT + ((toMs(date) - min) / (max - min)) * (W - LEFT - RIGHT);
  const colors = { device: '#1b8a5a', part: '#3867b5', legal: '#6a4fb0', maker: '#5c6b7a' } as const;

  // Month ticks, thinned to at most ~10 labels.
  const ticks: string[] = [];
  const start = new Date(min);
  let cur = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
  while (cur < max) {
    ticks.push(iso(cur));
    const n = new Date(cur);
    cur = Date.UTC(n.getUTCFullYear(), n.getUTCMonth() + 1, 1);
  }
  const step = Math.max(1, Math.ceil(ticks.length / 10));
  const shown = ticks.filter((_, i) => i % step === 0);
  const monthFmt = new Intl.DateTimeFormat(lang === 'bg' ? 'bg-BG' : lang === 'vi' ? 'vi-VN' : 'en-GB', { month: 'short', year: '2-digit', timeZone: 'UTC' });

  const summary = [
    `${t('timeline.device')}: ${t(`status.${d.status}`, d.status)}${d.end ? `, ${t('timeline.until')} ${fmtDate(d.end)}` : ''}`,
    ...report.parts.map((p) => `${p.item}: ${t(`status.${p.status}`, p.status)}${p.end ? `, ${t('timeline.until')} ${fmtDate(p.end)}` : ''}`),
    lg ? `${t('timeline.legal')}: ${t('timeline.until')} ${fmtDate(lg.end)}` : '',
  ].filter(Boolean).join('; ');

  return (
    <figure style={{ margin: 0 }}>
      <svg className="timeline-svg" viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-labelledby="tl-title tl-desc" data-testid="warranty-timeline" style={{ maxWidth: W, background: '#fff' }}>
        <title id="tl-title">{t('timeline.title')}</title>
        <desc id="tl-desc">{summary}</desc>
        <defs>
          <pattern id="suspended" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="8" height="8" fill="#f5b83d" />
            <line x1="0" y1="0" x2="0" y2="8" stroke="#b07400" strokeWidth="3" />
          </pattern>
        </defs>
        {shown.map((tk) => (
          <g key={tk}>
            <line x1={x(tk)} x2={x(tk)} y1={TOP - 6} y2={H - 26} stroke="#e3e6ea" />
            <text x={x(tk)} y={H - 10} fontSize="12" textAnchor="middle" fill="#495057">{monthFmt.format(toMs(tk))}</text>
          </g>
        ))}
        {rows.map((r, i) => {
          const y = TOP + i * ROW;
          const c = colors[r.tone];
          const past = r.intervals.map((iv, k) => {
            const to = iv.to ?? today;
            const w = Math.max(2, x(to) - x(iv.from) + (W - LEFT - RIGHT) * (DAY / (max - min)));
            return (
              <rect key={k} x={x(iv.from)} y={y + 8} width={w} height={18} rx={3} fill={iv.kind === 'suspended' ? 'url(#suspended)' : c}>
                <title>{`${t(`timeline.${iv.kind}`)} ${fmtDate(iv.from)} – ${iv.to ? fmtDate(iv.to) : t('timeline.today')} (${iv.rule})`}</title>
              </rect>
            );
          });
          // What is still to run after the last interval (a suspended one ends today): drawn lighter.
          const last = r.intervals[r.intervals.length - 1];
          const lastTo = last ? (last.to ?? today) : undefined;
          const future = r.end && lastTo && toMs(r.end) > toMs(lastTo) ? (
            <rect x={x(lastTo)} y={y + 8} width={x(r.end) - x(lastTo)} height={18} rx={3} fill={c} fillOpacity={0.25} stroke={c} strokeDasharray="4 3">
              <title>{`${t('timeline.projected')} ${t('timeline.until')} ${fmtDate(r.end)}`}</title>
            </rect>
          ) : null;
          return (
            <g key={i} data-row={r.tone}>
              <text x={8} y={y + 16} fontSize="14" fontWeight={600} fill="#212529">{r.label}</text>
              {r.sub && <text x={8} y={y + 32} fontSize="11" fill="#495057">{r.sub.length > 34 ? `${r.sub.slice(0, 33)}…` : r.sub}</text>}
              {past}
              {future}
              {r.end && (
                <text x={Math.min(x(r.end) + 4, W - RIGHT - 70)} y={y + 40} fontSize="11" fill="#343a40">
                  {fmtDate(r.end)}
                </text>
              )}
              {r.changes.filter((ch) => ch.code !== 'base-term' && ch.code !== 'part-term').map((ch, k) => (
                <g key={k} transform={`translate(${x(ch.date)},${y + 17})`}>
                  <path d="M0,-9 L7,0 L0,9 L-7,0 Z" fill="#fff" stroke="#212529" strokeWidth="2" />
                  <title>{`${ch.rule}: ${inLang(ch.text, lang)}`}</title>
                </g>
              ))}
            </g>
          );
        })}
        <g data-testid="today-marker">
          <line x1={x(today)} x2={x(today)} y1={TOP - 14} y2={H - 26} stroke="#c92a2a" strokeWidth="2" />
          <text x={x(today)} y={TOP - 18} fontSize="12" fontWeight={700} fill="#c92a2a" textAnchor="middle">{`${t('timeline.today')} · ${fmtDate(today)}`}</text>
        </g>
      </svg>
      <figcaption style={{ display: 'flex', gap: 16, flexWrap: 'wrap', fontSize: 13, color: '#343a40', marginTop: 4 }}>
        <Legend swatch={<rect width="18" height="10" fill={colors.device} />} label={t('timeline.running')} />
        <Legend swatch={<rect width="18" height="10" fill="url(#suspended)" />} label={t('timeline.suspended')} />
        <Legend swatch={<rect width="18" height="10" fill={colors.device} fillOpacity={0.25} stroke={colors.device} strokeDasharray="3 2" />} label={t('timeline.projected')} />
        <Legend swatch={<path d="M9,0 L15,5 L9,10 L3,5 Z" fill="#fff" stroke="#212529" strokeWidth="1.5" />} label={t('timeline.change')} />
        <Legend swatch={<rect x="8" width="2" height="10" fill="#c92a2a" />} label={t('timeline.today')} />
      </figcaption>
    </figure>
  );
}

function Legend({ swatch, label }: { swatch: React.ReactNode; label: string }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
      <svg width="18" height="10" aria-hidden="true">{swatch}</svg>
      {label}
    </span>
  );
}
