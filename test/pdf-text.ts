// PDF text for tests: pdftotext from Debian's poppler-utils (installed by .ci/run). Tests that need
// it skip, saying so, where it is absent.
import { execFileSync, spawnSync } from 'node:child_process';

export const hasPdftotext = spawnSync('pdftotext', ['-v']).status === 0;
export const NO_PDFTOTEXT = 'pdftotext is not installed (apt-get install -y poppler-utils): PDF text checks skipped';

/** The PDF's text with runs of white space made single spaces, so wrapped lines still match. */
export function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, ' ');
}

export function pdfPages(pdf: Buffer): number {
  const info = execFileSync('pdfinfo', ['-'], { input: pdf }).toString('utf8');
  return Number(/Pages:\s+(\d+)/.exec(info)?.[1] ?? 0);
}
