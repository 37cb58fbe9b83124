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

/**
 * One client, one request at a time over one kept-alive connection, `pauseMs` apart, for `seconds`:
 * the latency of a lookup itself, without the queueing a saturating load adds (on a machine whose
 * cores are shared, a saturating load's p99 is mostly the scheduler's).
 */
export async function probeTarget(t: Target, seconds: number, pauseMs = 2): Promise<Figures> {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ms: number[] = [];
  let bad = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    const status = await new Promise<number>((resolve) => {
      const req = http.get(`${t.base}${t.path()}`, { agent, headers: t.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
    });
    if (status === 200) ms.push(performance.now() - t0);
    else bad++;
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  agent.destroy();
  const s = ms.sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { rps: s.length / seconds, p50: Number(q(0.5).toFixed(2)), p99: Number(q(0.99).toFixed(2)), non2xx: bad, errors: 0 };
}

/** Like `interleaved`, with one client probing (probeTarget) instead of a saturating load. */
export async function interleavedProbes(targets: Target[], opts: { rounds: number; seconds: number }): Promise<Map<string, Figures[]>> {
  for (const t of targets) await probeTarget(t, 1);
  const out = new Map<string, Figures[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < opts.rounds; r++) for (const t of targets) out.get(t.name)!.push(await probeTarget(t, opts.seconds));
  return out;
}
