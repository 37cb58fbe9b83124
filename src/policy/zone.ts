// Time zones for the engine: luxon's IANA zones, with the UTC offset computed once per UTC day
// instead of on every call. luxon asks Intl (formatToParts) for an offset each time it places an
// instant in a zone, and that was most of the clocks' cost (~65 % of the intake's Node CPU in issue
// 10's profile). Offsets change only at a zone's transitions (DST, law changes), at most once a day in
// the tz database, so a day whose start and end have the same offset has it throughout; a day with a
// transition remembers the instant of the change (found by bisection, to the millisecond).
import { IANAZone, Zone, type ZoneOffsetFormat, type ZoneOffsetOptions } from 'luxon';

const DAY = 86_400_000;

interface DayOffsets {
  before: number;
  after: number;
  /** The first instant (ms) with the `after` offset; +Infinity when the day has one offset. */
  switchAt: number;
}

export class DayCachedZone extends Zone {
  readonly #inner: IANAZone;
  readonly #days = new Map<number, DayOffsets>();

  constructor(inner: IANAZone) {
    super();
    this.#inner = inner;
  }

  get type() {
    return 'iana';
  }
  get name() {
    return this.#inner.name;
  }
  get ianaName() {
    return this.#inner.name;
  }
  get isUniversal() {
    return false;
  }
  get isValid() {
    return this.#inner.isValid;
  }
  offsetName(ts: number, opts: ZoneOffsetOptions) {
    return this.#inner.offsetName(ts, opts);
  }
  /** As luxon formats an offset (its util's formatOffset), from the cached offset. */
  formatOffset(ts: number, format: ZoneOffsetFormat) {
    const offset = this.offset(ts);
    const hours = Math.trunc(Math.abs(offset / 60));
    const minutes = Math.trunc(Math.abs(offset % 60));
    const sign = offset >= 0 ? '+' : '-';
    const two = (n: number) => String(n).padStart(2, '0');
    if (format === 'short') return `${sign}${two(hours)}:${two(minutes)}`;
    if (format === 'narrow') return `${sign}${hours}${minutes > 0 ? `:${minutes}` : ''}`;
    return `${sign}${two(hours)}${two(minutes)}`;
  }
  equals(other: Zone) {
    return other.type === 'iana' && other.name === this.name;
  }

  offset(ts: number): number {
    const day = Math.floor(ts / DAY);
    let d = this.#days.get(day);
    if (!d) {
      const start = day * DAY;
      const before = this.#inner.offset(start);
      const after = this.#inner.offset(start + DAY);
      let switchAt = Number.POSITIVE_INFINITY;
      if (before !== after) {
        // The change lies in (start, start + DAY]: bisect to the first millisecond with `after`.
        let lo = start;
        let hi = start + DAY;
        while (hi - lo > 1) {
          const mid = lo + Math.floor((hi - lo) / 2);
          if (this.#inner.offset(mid) === before) lo = mid;
          else hi = mid;
        }
        switchAt = hi;
      }
      d = { before, after, switchAt };
      if (this.#days.size > 100_000) this.#days.clear(); // bounded: ~270 years of days per zone
      this.#days.set(day, d);
    }
    return ts < d.switchAt ? d.before : d.after;
  }
}

const zones = new Map<string, Zone>();

/** The engine's zone for an IANA name (one instance per name); an invalid name gives luxon's invalid zone. */
export function zoneOf(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    const inner = IANAZone.create(name);
    z = inner.isValid ? new DayCachedZone(inner) : inner;
    zones.set(name, z);
  }
  return z;
}
