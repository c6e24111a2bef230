/**
 * Unicode that makes one text look like another (issue 10, finding 12). Pure.
 *
 * - Bidi controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM) reorder the text around them: an
 *   RLO in a name turns "Eve‮exe.txt" into something else on an organizer's page. Nobody types them in a name
 *   (right-to-left names need none), so they are removed on input; pages also isolate names with <bdi>.
 * - Zero-width and other invisible characters (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen) make two
 *   addresses look identical yet compare different: removed from addresses, with NFKC folding fullwidth and
 *   compatibility forms (ａｄａ → ada). Names keep ZWNJ/ZWJ, which Persian, Indic scripts and emoji need.
 * - Letters from different scripts in one part of an address (Latin "paypal" with a Cyrillic "а") are how
 *   look-alike addresses are made: such applications are flagged for review, not refused.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const INVISIBLE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0]/g;

export const stripBidiControls = (s: string): string => s.replace(BIDI_CONTROLS, '');

/** An address as it should be stored and compared: NFKC, no invisible characters, no surrounding space. */
export function cleanEmail(raw: string): string {
  return raw.normalize('NFKC').replace(INVISIBLE, '').trim();
}

// The scripts whose letters are commonly confused with each other (Unicode TR 39's confusables are mostly
// between these); letters of any other script count as "other".
const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Coptic', 'Georgian'] as const;
const SCRIPT_RE = SCRIPTS.map((s) => [s, new RegExp(`\\p{Script=${s}}`, 'u')] as const);

function scriptOf(ch: string): string | null {
  if (!/\p{L}/u.test(ch)) return null; // digits, dots, hyphens … belong to no script here
  for (const [name, re] of SCRIPT_RE) if (re.test(ch)) return name;
  return 'other';
}

/** True when the local part or any domain label mixes letters of two scripts. */
export function isMixedScriptEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  const parts = at < 0 ? [email] : [email.slice(0, at), ...email.slice(at + 1).split('.')];
  return parts.some((part) => {
    const scripts = new Set<string>();
    for (const ch of part) {
      const s = scriptOf(ch);
      if (s) scripts.add(s);
    }
    return scripts.size > 1;
  });
}
