// The proof file as the API shows it: shared by the routes that list proofs (the order, the order
// page), so that no feature imports another feature's routes.
import { z } from 'zod';

export const ProofFile = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
  url: z.string().nullable().describe('Where to download it (null on an order page opened by number and contact)'),
});
z.globalRegistry.add(ProofFile, { id: 'ProofFile' });
