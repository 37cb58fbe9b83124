// Errors of the policy layer. Bad input is never a stack trace: every problem is listed with the
// path of the field and a readable reason, so the CLI, the HTTP API and a pack author can act on it.

export interface InputIssue {
  path: string;
  message: string;
}

export class PolicyInputError extends Error {
  readonly issues: InputIssue[];
  constructor(issues: InputIssue[]) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n'));
    this.issues = issues;
    this.name = 'PolicyInputError';
  }
}

/** Turns zod issues into our path-and-reason list (`terms[2].duration: ...`). */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
