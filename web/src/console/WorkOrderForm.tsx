// The work order signed at the counter (SC-2, ITEMA-11, ITEMA-29): checklist, condition, signature.
import { Checkbox, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Body } from '../lib/api';

/** The work order as the API takes it (the `open` action's, the same in POST /claims). */
export type WorkOrder = Extract<Body<'/api/v1/service-orders/{id}/actions'>, { action: 'open' }>['workOrder'];
export const emptyWorkOrder = (problem = ''): WorkOrder => ({ termsAccepted: false, accessories: [], complete: false, visibleCondition: '', dataBackedUp: false, passwordsRemoved: false, problemInClientsWords: problem, signedBy: '' });

export function WorkOrderForm({ value: w, onChange }: { value: WorkOrder; onChange: (w: WorkOrder) => void }) {
  const { t } = useTranslation();
  const set = <K extends keyof WorkOrder>(k: K, v: WorkOrder[K]) => onChange({ ...w, [k]: v });
  return (
    <Stack gap="xs">
      <Textarea label={t('wo.problem')} required value={w.problemInClientsWords} onChange={(e) => set('problemInClientsWords', e.currentTarget.value)} />
      <TextInput label={t('wo.accessories')} description={t('wo.accessoriesHint')} value={w.accessories.join(', ')} onChange={(e) => set('accessories', e.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean))} />
      <Textarea label={t('wo.condition')} value={w.visibleCondition} onChange={(e) => set('visibleCondition', e.currentTarget.value)} />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
        <Checkbox label={t('wo.complete')} checked={w.complete} onChange={(e) => set('complete', e.currentTarget.checked)} />
        <Checkbox label={t('wo.backup')} checked={w.dataBackedUp} onChange={(e) => set('dataBackedUp', e.currentTarget.checked)} />
        <Checkbox label={t('wo.passwords')} checked={w.passwordsRemoved} onChange={(e) => set('passwordsRemoved', e.currentTarget.checked)} />
        <Checkbox label={t('wo.terms')} checked={w.termsAccepted} onChange={(e) => set('termsAccepted', e.currentTarget.checked)} required />
      </SimpleGrid>
      <TextInput label={t('wo.signedBy')} required value={w.signedBy} onChange={(e) => set('signedBy', e.currentTarget.value)} />
    </Stack>
  );
}
