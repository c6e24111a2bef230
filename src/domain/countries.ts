/** ISO 3166-1 alpha-2 codes (officially assigned). Names come from Intl.DisplayNames at render time. */
export const COUNTRY_CODES: readonly string[] = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
  'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
  'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
  'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
  'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

const CODES = new Set(COUNTRY_CODES);

export function isCountryCode(x: unknown): x is string {
  return typeof x === 'string' && CODES.has(x);
}

// Names and their order per language never change while the process runs: computed once per language (issue 12;
// sorting 249 names with a new Intl.Collator was a visible share of every page view).
const optionsByLocale = new Map<string, readonly { code: string; name: string }[]>();
const namesByLocale = new Map<string, Intl.DisplayNames>();

function displayNames(locale: string): Intl.DisplayNames {
  let names = namesByLocale.get(locale);
  if (!names) {
    names = new Intl.DisplayNames([locale], { type: 'region' });
    namesByLocale.set(locale, names);
  }
  return names;
}

/** Countries sorted by their name in the given locale (shared, frozen: do not modify). */
export function countryOptions(locale: string): readonly { code: string; name: string }[] {
  let options = optionsByLocale.get(locale);
  if (!options) {
    const names = displayNames(locale);
    const collator = new Intl.Collator(locale);
    options = Object.freeze(
      COUNTRY_CODES.map((code) => Object.freeze({ code, name: names.of(code) ?? code })).sort((a, b) => collator.compare(a.name, b.name)),
    );
    optionsByLocale.set(locale, options);
  }
  return options;
}

export function countryName(code: string, locale: string): string {
  return displayNames(locale).of(code) ?? code;
}
