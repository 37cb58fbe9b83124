// Saturating loads on several endpoints, interleaved: round 1 runs every target once, round 2 again,
// and so on, so a target and its baseline are measured minutes apart at most and the machine's other
// work (2 cores shared with other agents here) falls on all of them alike. Each round's ratio is
// taken within the round; the report gives the median over the rounds and their spread (min–max).
import autocannon from 'autocannon';

export interface Target {
  name: string;
  base: string;
  /** The path of each request (called per request, e.g. a random serial). */
  path: () => string;
  headers?: Record<string, string>;
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, res) => (err ? reject(err) : resolve(res))));
}

async function once(t: Target, connections: number, seconds: number): Promise<Figures> {
  const r = await cannon({
    url: t.base,
    connections,
    duration: seconds,
    headers: t.headers,
    requests: [{ method: 'GET', setupRequest: (req: autocannon.Request) => ({ ...req, path: t.path() }) }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** Every target `rounds` times in turn (after a 2 s warm-up each); figures per target per round. */
export async function interleaved(targets: Target[], opts: { rounds: number; seconds: number; connections: number }): Promise<Map<string, Figures[]>> {
  for (const t of targets) await once(t, opts.connections, 2);
  const out = new Map<string, Figures[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < opts.rounds; r++) for (const t of targets) out.get(t.name)!.push(await once(t, opts.connections, opts.seconds));
  return out;
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** "0.42 (0.40–0.45)": the median of the per-round ratios and their range. */
export function ratio(num: Figures[], den: Figures[], f: (x: Figures) => number): string {
  const rs = num.map((x, i) => f(x) / f(den[i]));
  return `${median(rs).toFixed(2)} (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})`;
}

/** "1,234 req/s, p50 3 ms, p99 12 ms" with medians over the rounds. */
export function line(xs: Figures[]): string {
  const bad = xs.reduce((a, x) => a + x.non2xx + x.errors, 0);
  return `${Math.round(median(xs.map((x) => x.rps))).toLocaleString('en').padStart(7)} req/s   p50 ${median(xs.map((x) => x.p50))} ms   p99 ${median(xs.map((x) => x.p99))} ms${bad ? `   (${bad} non-2xx/errors)` : ''}`;
}
