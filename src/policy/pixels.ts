// ITEMA-16: dead pixels are a defect only beyond the manufacturer's limits or ISO 13406-2 class II:
// at most 2 always-lit pixels, 2 dark pixels, 5 defective subpixels and 2 clusters of adjacent
// defective subpixels; any cluster of defective pixels inside a 5 × 5 square is a defect.
import type { DeadPixelCounts } from './types.ts';

export interface PixelLimits {
  brightPixels: number;
  darkPixels: number;
  defectiveSubpixels: number;
  subpixelClusters: number;
  pixelClusters5x5: number;
}

/** ISO 13406-2 class II, as ITEMA-16 quotes it. */
export const ISO_13406_2_CLASS_II: PixelLimits = { brightPixels: 2, darkPixels: 2, defectiveSubpixels: 5, subpixelClusters: 2, pixelClusters5x5: 0 };

export interface PixelVerdict {
  defect: boolean;
  /** The counts over their limit, e.g. [{ kind: 'darkPixels', count: 3, limit: 2 }]. */
  over: { kind: keyof PixelLimits; count: number; limit: number }[];
}

export function judgePixels(counts: DeadPixelCounts, limits: PixelLimits = ISO_13406_2_CLASS_II): PixelVerdict {
  const over: PixelVerdict['over'] = [];
  for (const kind of Object.keys(limits) as (keyof PixelLimits)[]) {
    const count = counts[kind] ?? 0;
    if (count > limits[kind]) over.push({ kind, count, limit: limits[kind] });
  }
  return { defect: over.length > 0, over };
}
