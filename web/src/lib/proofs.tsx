// Proof files a client sent with a claim (invoice, receipt, warranty card), listed with download
// links: on the staff order page and on the client's own order page.
import { Anchor, List, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Schemas } from './api';
import { fmtDateTime, fmtNumber } from './i18n';

export type ProofFile = Schemas['ProofFile'];

/** Proof files the client sent with the claim (invoice, receipt, warranty card): download links. */
export function ProofFiles({ files }: { files: ProofFile[] }) {
  const { t } = useTranslation();
  if (!files.length) return null;
  return (
    <div data-testid="proof-files">
      <Text fw={600} size="sm" mt="xs">{t('proof.title')}</Text>
      <List>
        {files.map((p) => (
          <List.Item key={p.id}>
            {p.url ? <Anchor href={p.url} download={p.filename}>{p.filename}</Anchor> : p.filename}
            <Text span size="xs" c="dark.4"> · {t('proof.size', { kb: fmtNumber(Math.max(1, Math.round(p.sizeBytes / 1024))) })} · {fmtDateTime(p.createdAt)}</Text>
          </List.Item>
        ))}
      </List>
    </div>
  );
}
