/**
 * Response language for IFEval's language:response_language and change_case:english_* checks. The reference calls
 * langdetect (a port of Google's language-detection n-gram profiles); that is a Python package. The npm detector
 * we would use is franc / franc-min (MIT, one dependency, ISO 639-3 codes), but it is ESM-only and not installed
 * here, so this is a small detector of our own for the 30 languages IFEval asks for
 * (instructions_util.LANGUAGE_CODES):
 * - languages with their own script are told by script (Thai, Korean, Japanese kana, Hebrew, Bengali, Tamil,
 *   Telugu, Kannada, Gujarati, Gurmukhi/Punjabi, Malayalam);
 * - scripts shared by several languages (Cyrillic: ru/uk/bg; Arabic: ar/fa/ur; Devanagari: hi/mr/ne; Latin) are
 *   told apart by letters only one of them uses and by frequent function words.
 * Like langdetect's LangDetectException, text with no letters gives `null`, which IFEval counts as followed.
 */

interface ScriptRule {
  readonly code: string;
  readonly pattern: RegExp;
}

const OWN_SCRIPT: readonly ScriptRule[] = [
  { code: 'th', pattern: /\p{Script=Thai}/gu },
  { code: 'ko', pattern: /\p{Script=Hangul}/gu },
  { code: 'ja', pattern: /[\p{Script=Hiragana}\p{Script=Katakana}]/gu },
  { code: 'he', pattern: /\p{Script=Hebrew}/gu },
  { code: 'bn', pattern: /\p{Script=Bengali}/gu },
  { code: 'ta', pattern: /\p{Script=Tamil}/gu },
  { code: 'te', pattern: /\p{Script=Telugu}/gu },
  { code: 'kn', pattern: /\p{Script=Kannada}/gu },
  { code: 'gu', pattern: /\p{Script=Gujarati}/gu },
  { code: 'pa', pattern: /\p{Script=Gurmukhi}/gu },
  { code: 'ml', pattern: /\p{Script=Malayalam}/gu },
];

const SHARED = {
  cyrillic: /\p{Script=Cyrillic}/gu,
  arabic: /\p{Script=Arabic}/gu,
  devanagari: /\p{Script=Devanagari}/gu,
  han: /\p{Script=Han}/gu,
  latin: /\p{Script=Latin}/gu,
};

/** Frequent function words per Latin-script language (lowercase, whole words). */
const LATIN_WORDS: Record<string, readonly string[]> = {
  en: ['the', 'and', 'is', 'of', 'to', 'in', 'it', 'that', 'with', 'for', 'this', 'are', 'was', 'you', 'on', 'be'],
  es: ['el', 'la', 'de', 'que', 'y', 'los', 'las', 'en', 'un', 'una', 'es', 'por', 'con', 'para', 'del', 'se'],
  pt: ['o', 'a', 'de', 'que', 'e', 'os', 'as', 'em', 'um', 'uma', 'é', 'não', 'com', 'para', 'do', 'da'],
  fr: ['le', 'la', 'les', 'de', 'et', 'est', 'un', 'une', 'des', 'du', 'que', 'en', 'pour', 'dans', 'pas', 'il'],
  de: ['der', 'die', 'das', 'und', 'ist', 'ein', 'eine', 'nicht', 'zu', 'mit', 'den', 'von', 'ich', 'sie', 'es'],
  it: ['il', 'la', 'di', 'che', 'e', 'è', 'un', 'una', 'per', 'non', 'con', 'del', 'della', 'sono', 'gli', 'le'],
  pl: ['i', 'w', 'nie', 'na', 'się', 'z', 'jest', 'to', 'że', 'do', 'jak', 'ale', 'co', 'po', 'są', 'jego'],
  vi: ['và', 'của', 'là', 'có', 'không', 'những', 'được', 'cho', 'một', 'các', 'này', 'với', 'người', 'trong'],
  sw: ['na', 'ya', 'wa', 'kwa', 'ni', 'za', 'katika', 'hii', 'la', 'cha', 'kuwa', 'yake', 'pia', 'lakini'],
  fi: ['ja', 'on', 'ei', 'se', 'että', 'hän', 'oli', 'ole', 'mutta', 'kun', 'tai', 'myös', 'ovat', 'tämä'],
};

/** Letters that occur in one Latin-script language of the set and not (or rarely) in the others. */
const LATIN_LETTERS: Record<string, RegExp> = {
  vi: /[ăơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/gu,
  pl: /[ąćęłńśźż]/gu,
  de: /[äöüß]/gu,
  fi: /[äö]/gu,
  es: /[ñ¿¡]/gu,
  pt: /[ãõç]/gu,
  fr: /[èêëîïôœûùç]/gu,
  it: /[òìù]/gu,
};

const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

function bestOf(scores: Record<string, number>): string | null {
  let best: string | null = null;
  let bestScore = 0;
  for (const [code, score] of Object.entries(scores)) {
    if (score > bestScore) {
      best = code;
      bestScore = score;
    }
  }
  return best;
}

function latinLanguage(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}]+/gu) ?? [];
  const scores: Record<string, number> = {};
  for (const [code, list] of Object.entries(LATIN_WORDS)) {
    const set = new Set(list);
    scores[code] = words.filter((w) => set.has(w)).length;
  }
  const lower = text.toLowerCase();
  for (const [code, pattern] of Object.entries(LATIN_LETTERS)) scores[code] += 0.5 * count(lower, pattern);
  return bestOf(scores) ?? (words.length ? 'en' : null);
}

function cyrillicLanguage(text: string): string {
  const lower = text.toLowerCase();
  if (count(lower, /[іїєґ]/gu) > 0) return 'uk';
  const bg = 2 * count(lower, /ъ/gu) + count(lower, /(?<![\p{L}])(е|са|съм|ще|това|от)(?![\p{L}])/gu);
  const ru = count(lower, /[ыэё]/gu) + count(lower, /(?<![\p{L}])(это|не|что|как|он|она|они)(?![\p{L}])/gu);
  return bg > ru ? 'bg' : 'ru';
}

function arabicLanguage(text: string): string {
  const urdu = count(text, /[ٹڈڑںےھ]/gu);
  const persian = count(text, /[پچژگ]/gu) + count(text, /(?<![\p{L}])(است|این|را|که|می)(?![\p{L}])/gu);
  if (urdu > 0 && urdu >= persian) return 'ur';
  return persian > 0 ? 'fa' : 'ar';
}

function devanagariLanguage(text: string): string {
  const marathi = count(text, /ळ/gu) + count(text, /(?<![\p{L}\p{M}])(आहे|आणि|हे|या|ते)(?![\p{L}\p{M}])/gu);
  const nepali = count(text, /(?<![\p{L}\p{M}])(छ|छन्|र|हो|पनि|गर्न)(?![\p{L}\p{M}])/gu);
  const hindi = count(text, /(?<![\p{L}\p{M}])(है|और|के|की|में|से|हैं)(?![\p{L}\p{M}])/gu);
  return bestOf({ hi: hindi, mr: marathi, ne: nepali }) ?? 'hi';
}

/** ISO 639-1 code of the dominant language of `text`, or null when it has no letters to judge by. */
export function detectLanguage(text: string): string | null {
  const totals: [string, number][] = [
    ...OWN_SCRIPT.map((rule): [string, number] => [rule.code, count(text, rule.pattern)]),
    ['cyrillic', count(text, SHARED.cyrillic)],
    ['arabic', count(text, SHARED.arabic)],
    ['devanagari', count(text, SHARED.devanagari)],
    ['han', count(text, SHARED.han)],
    ['latin', count(text, SHARED.latin)],
  ];
  // Japanese text mixes kana with Han; any kana makes Han text Japanese, Han alone is Chinese.
  const kana = totals.find(([code]) => code === 'ja')![1];
  if (kana > 0) totals.find(([code]) => code === 'ja')![1] += totals.find(([code]) => code === 'han')![1];
  totals.sort((a, b) => b[1] - a[1]);
  const [script, letters] = totals[0];
  if (letters === 0) return null;
  switch (script) {
    case 'cyrillic':
      return cyrillicLanguage(text);
    case 'arabic':
      return arabicLanguage(text);
    case 'devanagari':
      return devanagariLanguage(text);
    case 'han':
      return 'zh';
    case 'latin':
      return latinLanguage(text);
    default:
      return script;
  }
}
