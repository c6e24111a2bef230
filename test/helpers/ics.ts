/** A small RFC 5545 reader for tests: unfolds lines (§3.1), splits name;params:value, unescapes TEXT (§3.3.11). */
export interface IcsProperty {
  name: string;
  params: Record<string, string>;
  value: string;
}

export interface IcsComponent {
  type: string;
  props: IcsProperty[];
  components: IcsComponent[];
  /** The first property of that name, value unescaped; undefined when absent. */
  get(name: string): string | undefined;
}

const unescapeText = (v: string) => v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

export function parseIcs(text: string): IcsComponent {
  if (!/\r\n$/.test(text) || /[^\r]\n/.test(text)) throw new Error('content lines must end in CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  for (const l of physical) if (Buffer.byteLength(l) > 75) throw new Error(`line longer than 75 octets: ${l}`);
  const lines = text.replace(/\r\n[ \t]/g, '').slice(0, -2).split('\r\n');
  const root: IcsComponent[] = [];
  const stack: IcsComponent[] = [];
  for (const line of lines) {
    const m = /^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    if (!m) throw new Error(`not a content line: ${line}`);
    const [, name, rawParams, value] = m;
    if (name === 'BEGIN') {
      const c: IcsComponent = { type: value, props: [], components: [], get: (n) => { const p = c.props.find((x) => x.name === n); return p && unescapeText(p.value); } };
      (stack.at(-1)?.components ?? root).push(c);
      stack.push(c);
      continue;
    }
    if (name === 'END') {
      const c = stack.pop();
      if (c?.type !== value) throw new Error(`END:${value} closes ${c?.type}`);
      continue;
    }
    const params = Object.fromEntries(rawParams.split(';').filter(Boolean).map((p) => p.split('=') as [string, string]));
    const current = stack.at(-1);
    if (!current) throw new Error(`property outside a component: ${line}`);
    current.props.push({ name: name.toUpperCase(), params, value });
  }
  if (stack.length || root.length !== 1 || root[0].type !== 'VCALENDAR') throw new Error('not one VCALENDAR');
  return root[0];
}

/** The VEVENT of a single-event calendar. */
export function icsEvent(text: string): IcsComponent {
  const cal = parseIcs(text);
  const events = cal.components.filter((c) => c.type === 'VEVENT');
  if (events.length !== 1) throw new Error(`expected one VEVENT, found ${events.length}`);
  return events[0];
}
