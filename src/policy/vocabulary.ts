// The domain vocabulary: a category typed in words ("enterprise infrastructure", "Сървър",
// "workstations") is matched to the pack's category code through the code itself, the category's
// names in each language and its synonyms (the pack's `categories`). A word the pack does not know
// is refused with the list of the categories it knows, unless the pack has a term for every
// category (then the word, in code form, is the category).
import { PolicyInputError } from './errors.ts';
import { tryParseDate } from './dates.ts';
import { categoryKey, selectVersion, type CompiledPack, type CompiledVersion } from './pack.ts';

export interface CategoryMatch {
  /** The pack's category code. */
  code: string;
  /** How it was found: the code as typed, a name or synonym of the vocabulary, or accepted as new by a catch-all term. */
  via: 'code' | 'vocabulary' | 'catch-all';
}

function lookup(v: CompiledVersion, key: string): string | undefined {
  const hit = v.categoryWords.get(key);
  if (hit) return hit;
  // Plurals typed in English: "servers", "switches", "accessories".
  for (const [from, to] of [[/ies$/, 'y'], [/(s|x|ch|sh)es$/, '$1'], [/s$/, '']] as const) {
    if (from.test(key)) {
      const s = v.categoryWords.get(key.replace(from, to));
      if (s) return s;
    }
  }
  return undefined;
}

/**
 * The category code for `input` in the pack version in force on `at` (a calendar date; the latest
 * version when absent). Throws PolicyInputError naming `path` and listing the known categories.
 */
export function resolveCategory(pack: CompiledPack, input: string, at?: string, path = 'category'): CategoryMatch {
  const day = at === undefined ? undefined : tryParseDate(at);
  const v = day === undefined ? pack.versions[pack.versions.length - 1] : selectVersion(pack, undefined, day);
  const key = categoryKey(String(input ?? ''));
  if (!key) throw new PolicyInputError([{ path, message: 'a category is required' }]);
  const code = lookup(v, key);
  if (code) return { code, via: code === String(input).trim() ? 'code' : 'vocabulary' };
  // A term without a category match applies to any category: the word is a category of its own.
  const catchAll = v.terms.some((t) => !t.categories);
  if (catchAll) return { code: key, via: 'catch-all' };
  throw new PolicyInputError([
    { path, message: `"${input}" is not a category of ${pack.id}; known categories: ${v.knownCategories.join(', ')}` },
  ]);
}

/** The category's name in a language, from the pack's vocabulary (the code when it has none). */
export function categoryName(pack: CompiledPack, code: string, lang: 'en' | 'bg' | 'vi'): string {
  const v = pack.versions[pack.versions.length - 1];
  const e = v.raw.categories?.[code];
  return e ? (e.names[lang] ?? e.names.en) : code;
}
