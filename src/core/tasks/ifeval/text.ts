/**
 * Text helpers of IFEval, after google-research/google-research instruction_following_eval/instructions_util.py.
 * Where the reference calls nltk we cannot (no Python here), and say what we do instead:
 * - count_words: nltk's RegexpTokenizer(r"\w+") is just a regex, so this is exact (Python's Unicode \w is letters,
 *   numbers and underscore: [\p{L}\p{N}_]).
 * - count_sentences: the reference uses nltk's Punkt English model. We use the reference's own rule-based
 *   `split_into_sentences` (same file), which agrees with Punkt on ordinary prose; Punkt's learned abbreviation
 *   list (e.g. "approx.", "etc." mid-sentence) is not reproduced.
 * - nltk.word_tokenize (capital_word_frequency): approximated by splitting on whitespace and peeling punctuation
 *   off word edges, which keeps hyphenated words as one token as the reference comment says.
 */

const WORD = /[\p{L}\p{N}_]+/gu;

export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

const ALPHABETS = '([A-Za-z])';
const PREFIXES = /(Mr|St|Mrs|Ms|Dr)[.]/g;
const SUFFIXES = '(Inc|Ltd|Jr|Sr|Co)';
const STARTERS =
  '(Mr|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|He\\s|She\\s|It\\s|They\\s|Their\\s|Our\\s|We\\s|But\\s|However\\s|That\\s|This\\s|Wherever)';
const ACRONYMS = '([A-Z][.][A-Z][.](?:[A-Z][.])?)';
const WEBSITES = /[.](com|net|org|io|gov|edu|me)/g;
const DIGITS = '([0-9])';

/** instructions_util.split_into_sentences, rule for rule (Python's re.sub replaces all matches: /g here). */
export function splitIntoSentences(input: string): string[] {
  let text = ` ${input}  `;
  text = text.replace(/\n/g, ' ');
  text = text.replace(PREFIXES, '$1<prd>');
  text = text.replace(WEBSITES, '<prd>$1');
  text = text.replace(new RegExp(`${DIGITS}[.]${DIGITS}`, 'g'), '$1<prd>$2');
  text = text.replace(/\.{2,}/g, (match) => '<prd>'.repeat(match.length) + '<stop>');
  if (text.includes('Ph.D')) text = text.split('Ph.D.').join('Ph<prd>D<prd>');
  text = text.replace(new RegExp(`\\s${ALPHABETS}[.] `, 'g'), ' $1<prd> ');
  text = text.replace(new RegExp(`${ACRONYMS} ${STARTERS}`, 'g'), '$1<stop> $2');
  text = text.replace(new RegExp(`${ALPHABETS}[.]${ALPHABETS}[.]${ALPHABETS}[.]`, 'g'), '$1<prd>$2<prd>$3<prd>');
  text = text.replace(new RegExp(`${ALPHABETS}[.]${ALPHABETS}[.]`, 'g'), '$1<prd>$2<prd>');
  text = text.replace(new RegExp(` ${SUFFIXES}[.] ${STARTERS}`, 'g'), ' $1<stop> $2');
  text = text.replace(new RegExp(` ${SUFFIXES}[.]`, 'g'), ' $1<prd>');
  text = text.replace(new RegExp(` ${ALPHABETS}[.]`, 'g'), ' $1<prd>');
  if (text.includes('”')) text = text.split('.”').join('”.');
  if (text.includes('"')) text = text.split('."').join('".');
  if (text.includes('!')) text = text.split('!"').join('"!');
  if (text.includes('?')) text = text.split('?"').join('"?');
  text = text.split('.').join('.<stop>');
  text = text.split('?').join('?<stop>');
  text = text.split('!').join('!<stop>');
  text = text.split('<prd>').join('.');
  let sentences = text.split('<stop>').map((s) => s.trim());
  if (sentences.length && !sentences[sentences.length - 1]) sentences = sentences.slice(0, -1);
  return sentences;
}

/** Sentences that carry a word: the reference's splitter leaves a "" for text like "..." on its own. */
export function countSentences(text: string): number {
  return splitIntoSentences(text).filter((s) => /[\p{L}\p{N}]/u.test(s)).length;
}

const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

/** Approximates nltk.word_tokenize for counting all-capital words (see the file comment). */
export function wordTokens(text: string): string[] {
  return text
    .split(/\s+/)
    .map((token) => token.replace(EDGE_PUNCTUATION, ''))
    .filter(Boolean);
}

/** True when `text` has a cased character and every cased one is in the case `toCase` gives. */
function allCased(text: string, toCase: (ch: string) => string): boolean {
  let cased = false;
  for (const ch of text) {
    if (ch.toLowerCase() === ch.toUpperCase()) continue;
    if (ch !== toCase(ch)) return false;
    cased = true;
  }
  return cased;
}

/** Python's str.isupper(): at least one cased character and no lowercase one. */
export const isUpper = (text: string): boolean => allCased(text, (ch) => ch.toUpperCase());

/** Python's str.islower(): at least one cased character and no uppercase one. */
export const isLower = (text: string): boolean => allCased(text, (ch) => ch.toLowerCase());

/** Python's str.strip(chars): strips any of `chars` from both ends. */
export function stripChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start])) start++;
  while (end > start && chars.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

/**
 * A kwarg (keyword, section splitter, postscript marker, starter) as a literal inside a pattern. The reference
 * splices these into Python regexes unescaped; IFEval's values are plain words, where literal and regex agree,
 * and a value from a user's file then cannot be a pattern that backtracks for ever.
 */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
