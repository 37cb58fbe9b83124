// `aftercare audit verify`: seals the audit rows written since the job runner's last seal, then
// recomputes every organization's audit hash chain on the configured database and reports the first
// row that does not match (exit 1), or each chain's length and head.
import { loadConfigOrExit } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { sealAudit, verifyAuditChain, type BrokenAuditRow } from '../core/audit.ts';

const WHY: Record<BrokenAuditRow['reason'], string> = {
  'content-changed': 'its content does not match its hash (the row was changed)',
  'link-broken': 'it does not link to the row before it (that row was changed or replaced)',
  'row-missing-before': 'the row before it in the chain is missing (deleted)',
  'rows-missing-at-end': 'rows after the last one are missing (the chain head is further on)',
};

export async function auditVerifyCommand(opts: { org?: string }): Promise<number> {
  const config = loadConfigOrExit();
  const d = await openDatabase(config);
  try {
    let orgId: string | undefined;
    if (opts.org) {
      const o = await d.db.selectFrom('organizations').select('id').where('slug', '=', opts.org).executeTakeFirst();
      if (!o) {
        console.error(`no organization "${opts.org}"`);
        return 2;
      }
      orgId = o.id;
    }
    const sealed = await sealAudit(d.db, { organizationId: orgId });
    if (sealed) console.log(`sealed ${sealed} audit rows written since the last seal`);
    const reports = await verifyAuditChain(d.db, { organizationId: orgId });
    let bad = 0;
    for (const r of reports) {
      if (r.broken) {
        bad++;
        const b = r.broken;
        const row = b.id ? `row ${b.id} (position ${b.chainSeq} of its chain, ${b.action}, ${b.occurredAt?.toISOString()})` : `position ${b.chainSeq}`;
        console.log(`${r.slug}: BROKEN at ${row}: ${WHY[b.reason]}`);
      } else {
        console.log(`${r.slug}: intact, ${r.rows} rows${r.head ? `, head ${r.head.seq} ${r.head.hash}` : ''}${r.unsealed ? ` (${r.unsealed} written meanwhile, sealed next time)` : ''}`);
      }
    }
    return bad ? 1 : 0;
  } finally {
    await d.shutdown();
  }
}
