/**
 * Links between the pages behind one status link (/a/{token}…). They keep a language the applicant picked
 * with the switcher (?lang=), because without it these pages speak the application's language.
 */
export type ApplicantLink = (path?: string, query?: Record<string, string>) => string;

export function applicantLinks(token: string, lang: string | null): ApplicantLink {
  return (path = '', query = {}) => {
    const q = new URLSearchParams({ ...query, ...(lang ? { lang } : {}) }).toString();
    return `/a/${token}${path}${q ? `?${q}` : ''}`;
  };
}
