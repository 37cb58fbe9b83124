// `aftercare org create`: a business, its first owner, its locations and its policy from a starting
// point (one of the shipped packs, or blank), on the configured database (migrated first).
import { createInterface } from 'node:readline/promises';
import { loadConfigOrExit } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { createBusiness, SetupError, slugOf } from '../modules/organizations/setup.service.ts';

export interface OrgCreateOptions {
  slug?: string;
  name: string;
  country: string;
  timeZone: string;
  currency: string;
  languages: string;
  ownerName: string;
  ownerEmail: string;
  ownerPassword?: string;
  /** "name|address|phone|opening hours", once per location. */
  location: string[];
  policy: string;
}

export function businessInput(o: OrgCreateOptions, password: string) {
  return {
    slug: o.slug ?? slugOf(o.name),
    name: o.name,
    country: o.country.toUpperCase(),
    timeZone: o.timeZone,
    currency: o.currency.toUpperCase(),
    languages: o.languages.split(',').map((l) => l.trim()).filter(Boolean),
    owner: { name: o.ownerName, email: o.ownerEmail, password },
    locations: o.location.map((l) => {
      const [name, address, phone, openingHours] = l.split('|').map((x) => x.trim());
      return { name, address: address || null, phone: phone || null, openingHours: openingHours || null };
    }),
    policy: o.policy,
  };
}

async function askPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    // Piped: the first line of standard input (`printf '%s\n' "$PW" | aftercare org create ...`).
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question("The owner's password (at least 10 characters): ");
  } finally {
    rl.close();
  }
}

export async function orgCreateCommand(o: OrgCreateOptions): Promise<number> {
  const password = o.ownerPassword ?? (await askPassword());
  const config = loadConfigOrExit();
  const d = await openDatabase(config);
  try {
    const r = await createBusiness(d.db, businessInput(o, password));
    console.log(`created ${r.slug} (${r.id}); the owner signs in as ${o.ownerEmail} with the password given`);
    return 0;
  } catch (e) {
    if (e instanceof SetupError) {
      console.error('the business was not created:');
      for (const i of e.issues) console.error(`  ${i.field}: ${i.message}`);
      return 1;
    }
    throw e;
  } finally {
    await d.shutdown();
  }
}
