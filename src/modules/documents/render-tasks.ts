// What the render pool's worker threads can draw: plain data in, PDF bytes out. Each entry is a
// renderer of this folder; the data must survive structured cloning (no functions, no classes).
import { renderReplacementRecord, type ReplacementRecordData } from './replacement-record.ts';
import { renderRequestForm, type RequestFormData } from './request-form.ts';

export const RENDERERS = {
  'request-form': (d: RequestFormData) => renderRequestForm(d),
  'replacement-record': (d: ReplacementRecordData) => renderReplacementRecord(d),
} as const;

export type RenderKind = keyof typeof RENDERERS;
export type RenderData<K extends RenderKind> = Parameters<(typeof RENDERERS)[K]>[0];
export interface RenderTask<K extends RenderKind = RenderKind> {
  kind: K;
  data: RenderData<K>;
}

/** The worker's entry (render-worker.mjs): one document per task. */
export async function renderTask(task: RenderTask): Promise<Uint8Array> {
  const fn = RENDERERS[task.kind] as (d: unknown) => Promise<Buffer>;
  if (!fn) throw new Error(`no renderer ${String(task.kind)}`);
  return fn(task.data);
}
