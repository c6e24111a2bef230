import type { EventContent, Localized } from '../domain/event.ts';

/**
 * The demo event's texts in the languages beyond English and German (demo.ts has those two in full): what an
 * organizer of a launch announced worldwide would write, shorter. Seeded data, not interface text: it lives with
 * the demo, not in the catalogues.
 */
export const DEMO_CONTENT: Record<string, EventContent & { why: string; fan: string; coverAlt: string }> = {
  fr: {
    title: 'Soirée de lancement New York',
    description:
      'Nous arrivons aux États-Unis et nous le fêtons avec notre plus grande soirée, à New York en décembre.\n\n' +
      'Découvrez nos nouveaux produits avant tout le monde, rencontrez l’équipe et venez avec vos proches. Les places étant limitées, les invités sont choisis par un tirage au sort équitable et vérifiable parmi toutes les candidatures.',
    consent: 'Nous utilisons vos données uniquement pour cet événement : vérifier votre e-mail, organiser le tirage et vous contacter à son sujet. Si vous n’êtes pas retenu, elles sont effacées automatiquement après le tirage.',
    why: 'Pourquoi aimeriez-vous être présent ?',
    fan: 'Utilisez-vous déjà l’un de nos produits ?',
    coverAlt: 'Silhouette stylisée de New York la nuit, en bleu et or',
  },
  es: {
    title: 'Noche de lanzamiento Nueva York',
    description:
      'Llegamos a Estados Unidos y lo celebramos con nuestra mayor fiesta hasta ahora, en Nueva York en diciembre.\n\n' +
      'Descubre nuestros productos más nuevos antes que nadie, conoce al equipo y ven con amigos y familia. Las plazas son limitadas, así que los invitados se eligen en un sorteo justo y verificable entre todas las solicitudes.',
    consent: 'Usamos tus datos solo para este evento: para verificar tu correo, hacer el sorteo y contactarte sobre él. Si no resultas elegido, se borran automáticamente después del sorteo.',
    why: '¿Por qué te gustaría estar allí?',
    fan: '¿Ya usas alguno de nuestros productos?',
    coverAlt: 'Silueta estilizada de Nueva York de noche, en azul y dorado',
  },
  it: {
    title: 'Serata di lancio New York',
    description:
      'Arriviamo negli Stati Uniti e lo festeggiamo con la nostra festa più grande di sempre, a New York a dicembre.\n\n' +
      'Scopri i nostri nuovi prodotti prima di tutti, incontra il team e porta amici e familiari. I posti sono limitati: gli ospiti vengono scelti con un’estrazione equa e verificabile tra tutte le candidature.',
    consent: 'Usiamo i tuoi dati solo per questo evento: per verificare la tua email, svolgere l’estrazione e contattarti in merito. Se non vieni selezionato, vengono cancellati automaticamente dopo l’estrazione.',
    why: 'Perché ti piacerebbe esserci?',
    fan: 'Usi già uno dei nostri prodotti?',
    coverAlt: 'Skyline stilizzato di New York di notte, in blu e oro',
  },
  pt: {
    title: 'Noite de lançamento Nova York',
    description:
      'Estamos chegando aos Estados Unidos e vamos comemorar com a nossa maior festa até hoje, em Nova York, em dezembro.\n\n' +
      'Conheça nossos produtos mais novos antes de todo mundo, encontre a equipe e traga amigos e familiares. As vagas são limitadas, por isso os convidados são escolhidos em um sorteio justo e verificável entre todas as inscrições.',
    consent: 'Usamos seus dados apenas para este evento: para confirmar seu e-mail, realizar o sorteio e falar com você sobre ele. Se você não for selecionado, eles são apagados automaticamente após o sorteio.',
    why: 'Por que você gostaria de estar lá?',
    fan: 'Você já usa algum dos nossos produtos?',
    coverAlt: 'Silhueta estilizada de Nova York à noite, em azul e dourado',
  },
  nl: {
    title: 'Lanceringsavond New York',
    description:
      'We komen naar de Verenigde Staten en vieren dat met ons grootste feest tot nu toe, in december in New York.\n\n' +
      'Ontdek onze nieuwste producten als eerste, ontmoet het team en neem vrienden en familie mee. Er zijn maar beperkt plaatsen, dus de gasten worden gekozen via een eerlijke, controleerbare loting onder alle aanmeldingen.',
    consent: 'We gebruiken je gegevens alleen voor dit evenement: om je e-mailadres te bevestigen, de loting te houden en je daarover te informeren. Word je niet gekozen, dan worden ze na de loting automatisch gewist.',
    why: 'Waarom wil je erbij zijn?',
    fan: 'Gebruik je al een van onze producten?',
    coverAlt: 'Gestileerde skyline van New York bij nacht, in blauw en goud',
  },
  pl: {
    title: 'Wieczór premierowy w Nowym Jorku',
    description:
      'Wchodzimy do Stanów Zjednoczonych i świętujemy to naszą największą imprezą w historii, w grudniu w Nowym Jorku.\n\n' +
      'Poznaj nasze najnowsze produkty przed wszystkimi, spotkaj zespół i przyjdź z przyjaciółmi lub rodziną. Liczba miejsc jest ograniczona, dlatego goście są wybierani w uczciwym, sprawdzalnym losowaniu spośród wszystkich zgłoszeń.',
    consent: 'Twoich danych używamy wyłącznie na potrzeby tego wydarzenia: do potwierdzenia adresu e-mail, przeprowadzenia losowania i kontaktu w jego sprawie. Jeśli nie zostaniesz wybrany, zostaną automatycznie usunięte po losowaniu.',
    why: 'Dlaczego chcesz wziąć udział?',
    fan: 'Czy korzystasz już z któregoś z naszych produktów?',
    coverAlt: 'Stylizowana panorama Nowego Jorku nocą, w kolorach niebieskim i złotym',
  },
  ja: {
    title: 'ニューヨーク ローンチナイト',
    description:
      'いよいよアメリカに進出します。12月、ニューヨークでこれまでで最大のパーティーを開いてお祝いします。\n\n' +
      '最新の製品を誰よりも先に体験し、チームに会い、ご友人やご家族と一緒にお越しください。席に限りがあるため、招待者はすべての応募の中から公正で検証可能な抽選で選ばれます。',
    consent: 'ご提供いただいた情報は、このイベントのためだけに使用します（メールアドレスの確認、抽選の実施、抽選に関するご連絡）。当選しなかった場合、個人情報は抽選後に自動的に削除されます。',
    why: '参加したい理由を教えてください。',
    fan: '当社の製品をすでにお使いですか？',
    coverAlt: '夜のニューヨークの街並みを青と金で描いたイラスト',
  },
  zh: {
    title: '纽约发布之夜',
    description:
      '我们即将进入美国市场，并将于十二月在纽约举办迄今为止规模最大的派对来庆祝。\n\n' +
      '抢先体验我们的最新产品，与团队见面，并欢迎携亲友同来。名额有限，嘉宾将从所有申请中通过公平、可验证的抽签选出。',
    consent: '我们仅将您的信息用于本次活动：验证您的电子邮箱、进行抽签并就此与您联系。如果您未被选中，您的个人信息将在抽签后自动删除。',
    why: '您为什么想参加？',
    fan: '您是否已经在使用我们的产品？',
    coverAlt: '以蓝色和金色描绘的纽约夜景插画',
  },
  ar: {
    title: 'ليلة الإطلاق في نيويورك',
    description:
      'نصل إلى الولايات المتحدة ونحتفل بذلك بأكبر حفل أقمناه حتى الآن، في نيويورك في ديسمبر.\n\n' +
      'جرّب أحدث منتجاتنا قبل الجميع، وتعرّف على الفريق، واصطحب أصدقاءك وعائلتك. المقاعد محدودة، لذلك يُختار الضيوف بقرعة عادلة يمكن التحقق منها بين جميع الطلبات.',
    consent: 'نستخدم بياناتك لهذه الفعالية فقط: للتحقق من بريدك الإلكتروني، وإجراء القرعة، والتواصل معك بشأنها. إذا لم يقع عليك الاختيار، تُحذف بياناتك الشخصية تلقائيًا بعد القرعة.',
    why: 'لماذا تود الحضور؟',
    fan: 'هل تستخدم أحد منتجاتنا بالفعل؟',
    coverAlt: 'رسم لأفق نيويورك ليلًا باللونين الأزرق والذهبي',
  },
  he: {
    title: 'ערב ההשקה בניו יורק',
    description:
      'אנחנו מגיעים לארצות הברית וחוגגים את זה במסיבה הגדולה ביותר שלנו עד היום, בניו יורק בדצמבר.\n\n' +
      'התנסו במוצרים החדשים שלנו לפני כולם, פגשו את הצוות והביאו חברים ובני משפחה. מספר המקומות מוגבל, ולכן האורחים נבחרים בהגרלה הוגנת שאפשר לאמת מבין כל הבקשות.',
    consent: 'אנחנו משתמשים בפרטים שלכם רק לאירוע הזה: כדי לאמת את כתובת הדוא״ל, לערוך את ההגרלה וליצור איתכם קשר לגביה. אם לא תיבחרו, המידע האישי יימחק אוטומטית אחרי ההגרלה.',
    why: 'למה הייתם רוצים להגיע?',
    fan: 'האם אתם כבר משתמשים באחד מהמוצרים שלנו?',
    coverAlt: 'איור של קו הרקיע של ניו יורק בלילה בכחול ובזהב',
  },
};

export const DEMO_COVER_ALT: Localized = {
  en: 'Stylised New York skyline at night, in blue and gold',
  de: 'Stilisierte Skyline von New York bei Nacht, in Blau und Gold',
  ...Object.fromEntries(Object.entries(DEMO_CONTENT).map(([l, c]) => [l, c.coverAlt])),
};

/** The demo's accent colour: a deep teal that passes AA against white button text. */
export const DEMO_ACCENT = '#0b6e6e';

/**
 * The demo's cover, drawn as SVG and rendered by sharp at seed time (no network, no font: shapes only): a night
 * skyline with lit windows, 1600 × 800.
 */
export function demoCoverSvg(): string {
  const buildings = [
    [0, 520, 120], [110, 430, 90], [190, 560, 140], [320, 300, 70], [380, 470, 120], [490, 380, 100], [580, 250, 60],
    [630, 420, 130], [750, 330, 90], [830, 500, 150], [970, 280, 80], [1040, 450, 120], [1150, 360, 110], [1250, 520, 140],
    [1380, 400, 100], [1470, 480, 130],
  ];
  const windows: string[] = [];
  for (const [x, top, w] of buildings) {
    for (let y = top + 30; y < 780; y += 46) {
      for (let wx = x + 16; wx < x + w - 20; wx += 30) {
        if ((wx * 7 + y * 3) % 5 < 2) windows.push(`<rect x="${wx}" y="${y}" width="12" height="20" fill="#f5c451" opacity="0.85"/>`);
      }
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="800" viewBox="0 0 1600 800">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#06152e"/><stop offset="1" stop-color="#0b6e6e"/></linearGradient></defs>
<rect width="1600" height="800" fill="url(#sky)"/>
<circle cx="1310" cy="150" r="70" fill="#f5c451" opacity="0.9"/>
${[...Array(60)].map((_, i) => `<circle cx="${(i * 263) % 1600}" cy="${(i * 97) % 300}" r="${1 + (i % 3)}" fill="#ffffff" opacity="0.7"/>`).join('')}
${buildings.map(([x, top, w]) => `<rect x="${x}" y="${top}" width="${w}" height="${800 - top}" fill="#0a0f1f"/>`).join('')}
${windows.join('')}
</svg>`;
}
