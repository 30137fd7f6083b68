import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INSTRUCTION_IDS, InstructionError, buildCheck } from '../../../src/core/tasks/ifeval/instructions';
import { detectLanguage } from '../../../src/core/tasks/ifeval/language';
import { instructionsOfRecord } from '../../../src/core/tasks/ifeval/parse';
import { InstructionSet, looseVariants } from '../../../src/core/tasks/ifeval/score';
import { countSentences, countWords, splitIntoSentences } from '../../../src/core/tasks/ifeval/text';
import { parsePromptsJsonl } from '../../../src/core/drift/prompts';

const check = (id: string, kwargs: Record<string, unknown> = {}) => buildCheck({ id, kwargs });

describe('IFEval registry: every id of the reference INSTRUCTION_DICT is known', () => {
  test('the 25 registered ids', () => {
    const reference = [
      'keywords:existence',
      'keywords:frequency',
      'keywords:forbidden_words',
      'keywords:letter_frequency',
      'language:response_language',
      'length_constraints:number_sentences',
      'length_constraints:number_paragraphs',
      'length_constraints:number_words',
      'length_constraints:nth_paragraph_first_word',
      'detectable_content:number_placeholders',
      'detectable_content:postscript',
      'detectable_format:number_bullet_lists',
      'detectable_format:constrained_response',
      'detectable_format:number_highlighted_sections',
      'detectable_format:multiple_sections',
      'detectable_format:json_format',
      'detectable_format:title',
      'combination:two_responses',
      'combination:repeat_prompt',
      'startend:end_checker',
      'change_case:capital_word_frequency',
      'change_case:english_capital',
      'change_case:english_lowercase',
      'punctuation:no_comma',
      'startend:quotation',
    ];
    for (const id of reference) assert.ok(INSTRUCTION_IDS.includes(id), id);
  });

  test('a missing kwarg is an error (the reference would draw a random value), an unknown id names its group', () => {
    assert.throws(() => check('length_constraints:number_words', { relation: 'less than' }), InstructionError);
    assert.throws(() => check('length_constraints:number_words', { num_words: 5, relation: 'at most' }), /less than/);
    assert.throws(() => check('keywords:bogus'), /known in that group: keywords:existence/);
  });
});

describe('IFEval instructions on hand-checked responses', () => {
  test('keywords:existence is a case-insensitive regex search (so "cat" is found inside "Concatenate")', () => {
    const c = check('keywords:existence', { keywords: ['cat', 'dog'] });
    assert.equal(c('Concatenate the DOG'), true);
    assert.equal(c('only a cat'), false);
  });

  test('keywords:forbidden_words uses word boundaries (Unicode-aware, as Python \\b)', () => {
    const c = check('keywords:forbidden_words', { forbidden_words: ['cat'] });
    assert.equal(c('Concatenate'), true);
    assert.equal(c('The Cat sat.'), false);
    assert.equal(check('keywords:forbidden_words', { forbidden_words: ['café'] })('un cafés'), true);
  });

  test('kwargs are literal: a hostile pattern cannot backtrack for ever, hyphens and dots match themselves', () => {
    const started = performance.now();
    assert.equal(check('keywords:existence', { keywords: ['(a+)+$'] })(`${'a'.repeat(40)}b`), false);
    assert.ok(performance.now() - started < 200);
    assert.equal(
      check('keywords:forbidden_words', { forbidden_words: ['state-of-the-art'] })('A state-of-the-art tool'),
      false,
    );
    assert.equal(check('keywords:existence', { keywords: ['v1.0'] })('v1x0'), false);
  });

  test('keywords:frequency counts substring matches; "less than" is strict', () => {
    const c = check('keywords:frequency', { keyword: 'ai', frequency: 3, relation: 'less than' });
    assert.equal(c('AI said: wait, ai'), false); // "AI", "ai" in wait, "ai": 3 matches
    assert.equal(c('AI and ai'), true);
  });

  test('keywords:letter_frequency counts the letter in the lowercased response', () => {
    const c = check('keywords:letter_frequency', { letter: 'Z', let_frequency: 2, let_relation: 'at least' });
    assert.equal(c('Zebra zone'), true);
    assert.equal(c('Zebra'), false);
  });

  test('length_constraints:number_words counts \\w+ runs: "don\'t" is 2 words, "state-of-the-art" 4', () => {
    assert.equal(countWords("don't state-of-the-art x_y"), 7);
    const c = check('length_constraints:number_words', { num_words: 5, relation: 'less than' });
    assert.equal(c('one two three four'), true);
    assert.equal(c("one two three don't"), false);
  });

  test('length_constraints:number_sentences: titles, initials, decimals and websites do not end sentences', () => {
    assert.deepEqual(splitIntoSentences('Dr. Smith paid 3.5 dollars at shop.com today. He left!'), [
      'Dr. Smith paid 3.5 dollars at shop.com today.',
      'He left!',
    ]);
    assert.equal(countSentences('I saw J. R. R. Tolkien. Wow... Really?'), 3);
    const c = check('length_constraints:number_sentences', { num_sentences: 2, relation: 'at least' });
    assert.equal(c('One. Two.'), true);
    assert.equal(c('Just one sentence here'), false);
  });

  test('length_constraints:number_paragraphs splits on *** and rejects an empty paragraph in the middle', () => {
    const c = check('length_constraints:number_paragraphs', { num_paragraphs: 2 });
    assert.equal(c('First.\n***\nSecond.'), true);
    assert.equal(c('***\nFirst.\n***\nSecond.\n***'), true); // empty first/last do not count
    assert.equal(c('First.\n***\n***\nSecond.'), false);
  });

  test('length_constraints:nth_paragraph_first_word strips quotes and stops at punctuation', () => {
    const c = check('length_constraints:nth_paragraph_first_word', {
      num_paragraphs: 2,
      nth_paragraph: 2,
      first_word: 'Summary',
    });
    assert.equal(c('Intro here.\n\n"Summary, then the rest.'), true);
    assert.equal(c('Intro here.\n\nIn summary.'), false);
    assert.equal(c('Intro here.\n\nSummary\n\nThird'), false);
  });

  test('detectable_content:number_placeholders counts [..] spans', () => {
    const c = check('detectable_content:number_placeholders', { num_placeholders: 2 });
    assert.equal(c('Dear [name], at [address]'), true);
    assert.equal(c('Dear [name]'), false);
  });

  test('detectable_content:postscript: "P.S." accepts "p. s." at a line start, case-insensitive', () => {
    const c = check('detectable_content:postscript', { postscript_marker: 'P.S.' });
    assert.equal(c('Body.\n\np. s. thanks'), true);
    assert.equal(c('Body without it'), false);
    assert.equal(check('detectable_content:postscript', { postscript_marker: 'P.P.S' })('x\nP.P.S more'), true);
  });

  test('detectable_format:number_bullet_lists counts "* " and "- " lines, not **bold** lines', () => {
    const c = check('detectable_format:number_bullet_lists', { num_bullets: 2 });
    assert.equal(c('* one\n- two\n**Bold** line'), true);
    assert.equal(c('* one\n* two\n* three'), false);
  });

  test('detectable_format:constrained_response looks for one of the three fixed answers', () => {
    const c = check('detectable_format:constrained_response');
    assert.equal(c('Well. My answer is maybe.'), true);
    assert.equal(c('My answer is perhaps.'), false);
  });

  test('detectable_format:number_highlighted_sections counts *x* and **x**, not empty ones', () => {
    const c = check('detectable_format:number_highlighted_sections', { num_highlights: 2 });
    assert.equal(c('*a* and **b**'), true);
    assert.equal(c('** ** and *a*'), false);
  });

  test('detectable_format:multiple_sections splits on "SECTION n" (case-sensitive)', () => {
    const c = check('detectable_format:multiple_sections', { section_spliter: 'SECTION', num_sections: 2 });
    assert.equal(c('SECTION 1\nfoo\nSECTION 2\nbar'), true);
    assert.equal(c('Section 1\nfoo\nSection 2\nbar'), false);
  });

  test('detectable_format:json_format strips ``` fences; the removeprefix calls chain', () => {
    const c = check('detectable_format:json_format');
    assert.equal(c('```json\n{"a": 1}\n```'), true);
    assert.equal(c('```json```{"a": 1}'), true); // "```json" then "```" removed
    assert.equal(c('Here: {"a": 1}'), false);
  });

  test('detectable_format:title needs a non-empty <<title>> on one line', () => {
    const c = check('detectable_format:title');
    assert.equal(c('<<Ode to Joy>>\nText'), true);
    assert.equal(c('<< >> text'), false);
    assert.equal(c('<<broken\ntitle>>'), false);
  });

  test('combination:two_responses needs two different non-empty parts around ******', () => {
    const c = check('combination:two_responses');
    assert.equal(c('Answer A\n******\nAnswer B'), true);
    assert.equal(c('Same\n******\nSame'), false);
    assert.equal(c('A ****** ****** B'), false);
  });

  test('combination:repeat_prompt: the response starts with the request, ignoring case', () => {
    const c = check('combination:repeat_prompt', { prompt_to_repeat: 'Write a poem.' });
    assert.equal(c('  write a POEM. Roses are red'), true);
    assert.equal(c('Sure! Write a poem.'), false);
  });

  test('startend:end_checker ignores a closing quote and case', () => {
    const c = check('startend:end_checker', { end_phrase: 'Any other questions?' });
    assert.equal(c('Done. any other questions?"'), true);
    assert.equal(c('Any other questions? Bye'), false);
  });

  test('startend:quotation: the whole stripped response is wrapped in double quotes', () => {
    const c = check('startend:quotation');
    assert.equal(c(' "quoted" '), true);
    assert.equal(c('"'), false);
  });

  test('change_case:capital_word_frequency counts all-caps tokens (hyphenated words are one)', () => {
    const c = check('change_case:capital_word_frequency', { capital_frequency: 2, capital_relation: 'at least' });
    assert.equal(c('This is VERY-IMPORTANT and URGENT.'), true);
    assert.equal(c('Only ONE here'), false);
  });

  test('change_case:english_capital / english_lowercase check case and English', () => {
    assert.equal(check('change_case:english_capital')('THIS IS THE ANSWER, AND IT IS FINE.'), true);
    assert.equal(check('change_case:english_capital')('THIS IS the answer'), false);
    assert.equal(check('change_case:english_lowercase')('this is the answer and it is fine'), true);
    assert.equal(check('change_case:english_lowercase')("c'est la vie et le monde est grand"), false);
  });

  test('punctuation:no_comma', () => {
    assert.equal(check('punctuation:no_comma')('no commas here'), true);
    assert.equal(check('punctuation:no_comma')('a, b'), false);
  });

  test('language:response_language; text with no letters counts as followed (langdetect raising)', () => {
    const c = check('language:response_language', { language: 'de' });
    assert.equal(c('Das ist nicht die Antwort, die ich erwartet habe, und es ist zu spät.'), true);
    assert.equal(c('This is the answer that I expected, and it is on time.'), false);
    assert.equal(c('12345 !!!'), true);
  });
});

describe('language detection for the 30 IFEval languages (our detector, see language.ts)', () => {
  const samples: Record<string, string> = {
    en: 'The weather is nice today and we are going to the park with the children.',
    es: 'El tiempo es bueno hoy y vamos al parque con los niños de la escuela.',
    pt: 'O tempo está bom hoje e nós vamos ao parque com as crianças da escola.',
    fr: "Le temps est beau aujourd'hui et nous allons au parc avec les enfants de l'école.",
    de: 'Das Wetter ist heute schön und wir gehen mit den Kindern in den Park.',
    it: 'Il tempo è bello oggi e andiamo al parco con i bambini della scuola.',
    pl: 'Pogoda jest dzisiaj ładna i idziemy do parku z dziećmi, bo to nie jest trudne.',
    vi: 'Thời tiết hôm nay đẹp và chúng tôi đi công viên với những đứa trẻ của trường.',
    fi: 'Sää on tänään kaunis ja me menemme puistoon lasten kanssa, mutta se ei ole kaukana.',
    sw: 'Hali ya hewa ni nzuri leo na tunakwenda kwenye bustani pamoja na watoto wa shule.',
    ru: 'Сегодня хорошая погода, и мы идём в парк с детьми, это не далеко.',
    uk: 'Сьогодні гарна погода, і ми йдемо в парк з дітьми, це недалеко від їхньої школи.',
    bg: 'Времето днес е хубаво и ние отиваме в парка с децата, това не е далеч.',
    ar: 'الطقس جميل اليوم ونحن ذاهبون إلى الحديقة مع الأطفال.',
    fa: 'هوا امروز خوب است و ما با بچه ها به پارک می رویم.',
    ur: 'آج موسم اچھا ہے اور ہم بچوں کے ساتھ پارک جا رہے ہیں۔',
    hi: 'आज मौसम अच्छा है और हम बच्चों के साथ पार्क में जा रहे हैं।',
    mr: 'आज हवामान छान आहे आणि आम्ही मुलांसोबत उद्यानात जात आहोत.',
    ne: 'आज मौसम राम्रो छ र हामी केटाकेटीहरूसँग पार्कमा जाँदैछौं।',
    ja: '今日は天気が良いので、子供たちと公園に行きます。',
    ko: '오늘은 날씨가 좋아서 아이들과 함께 공원에 갑니다.',
    th: 'วันนี้อากาศดีและเรากำลังจะไปสวนสาธารณะกับเด็กๆ',
    he: 'מזג האוויר היום נחמד ואנחנו הולכים לפארק עם הילדים.',
    bn: 'আজ আবহাওয়া ভালো এবং আমরা বাচ্চাদের সাথে পার্কে যাচ্ছি।',
    ta: 'இன்று வானிலை நன்றாக உள்ளது, நாங்கள் குழந்தைகளுடன் பூங்காவிற்கு செல்கிறோம்.',
    te: 'ఈరోజు వాతావరణం బాగుంది మరియు మేము పిల్లలతో పార్కుకు వెళ్తున్నాము.',
    kn: 'ಇಂದು ಹವಾಮಾನ ಚೆನ್ನಾಗಿದೆ ಮತ್ತು ನಾವು ಮಕ್ಕಳೊಂದಿಗೆ ಉದ್ಯಾನಕ್ಕೆ ಹೋಗುತ್ತಿದ್ದೇವೆ.',
    gu: 'આજે હવામાન સારું છે અને અમે બાળકો સાથે પાર્કમાં જઈ રહ્યા છીએ.',
    pa: 'ਅੱਜ ਮੌਸਮ ਵਧੀਆ ਹੈ ਅਤੇ ਅਸੀਂ ਬੱਚਿਆਂ ਨਾਲ ਪਾਰਕ ਜਾ ਰਹੇ ਹਾਂ।',
    ml: 'ഇന്ന് കാലാവസ്ഥ നല്ലതാണ്, ഞങ്ങൾ കുട്ടികളോടൊപ്പം പാർക്കിലേക്ക് പോകുന്നു.',
  };
  for (const [code, text] of Object.entries(samples)) {
    test(code, () => assert.equal(detectLanguage(text), code));
  }
});

describe('strict and loose scoring (evaluation_lib.py)', () => {
  test('the 8 loose variants: first/last line removed, and each with * stripped', () => {
    const v = looseVariants('Sure:\n*{"a": 1}*\nHope it helps');
    assert.equal(v.length, 8);
    assert.equal(v[4], '*{"a": 1}*');
    assert.equal(v[7], '{"a": 1}');
  });

  test('a preamble line fails strict JSON but passes loose; a blank response fails both', () => {
    const set = new InstructionSet([
      { id: 'detectable_format:json_format', kwargs: {} },
      { id: 'punctuation:no_comma', kwargs: {} },
    ]);
    assert.deepEqual(set.evaluate('Here is the JSON:\n{"a": 1}'), { strict: [false, true], loose: [true, true] });
    assert.deepEqual(set.evaluate('   '), { strict: [false, false], loose: [false, false] });
  });
});

describe('prompt files with instructions', () => {
  test("IFEval's input_data.jsonl lines load as they are (key, instruction_id_list, kwargs)", () => {
    const line = JSON.stringify({
      key: 1000,
      prompt: 'Write a 300+ word summary. Do not use any commas and highlight at least 3 sections.',
      instruction_id_list: [
        'punctuation:no_comma',
        'detectable_format:number_highlighted_sections',
        'length_constraints:number_words',
      ],
      kwargs: [{}, { num_highlights: 3 }, { relation: 'at least', num_words: 300 }],
    });
    const { prompts } = parsePromptsJsonl(line, 'input_data.jsonl');
    assert.equal(prompts[0].id, 'input_data-1000');
    assert.equal(prompts[0].instructions?.length, 3);
    assert.deepEqual(prompts[0].instructions?.[2], {
      id: 'length_constraints:number_words',
      kwargs: { relation: 'at least', num_words: 300 },
    });
  });

  test('the simple "checks" form maps onto the registry: max-words 3 means at most 3 words', () => {
    const specs = instructionsOfRecord({ checks: [{ type: 'max-words', value: 3 }, { type: 'json-only' }] }, 'p')!;
    assert.deepEqual(specs[0], {
      id: 'length_constraints:number_words',
      kwargs: { num_words: 4, relation: 'less than' },
    });
    const set = new InstructionSet(specs);
    assert.deepEqual(set.evaluate('{"a": "b c"}').strict, [true, true]);
    assert.deepEqual(set.evaluate('```json\n{"a": "b"}\n```').strict, [true, false]);
  });

  test('our JSON checks: required keys, types and a string length', () => {
    const set = new InstructionSet(
      instructionsOfRecord(
        {
          checks: [
            { type: 'required-keys', value: ['name', 'depends'] },
            { type: 'key-types', value: { name: 'string', depends: 'array' } },
            { type: 'max-chars', key: 'summary', value: 10 },
          ],
        },
        'p',
      )!,
    );
    assert.deepEqual(set.evaluate('{"name": "x", "depends": [], "summary": "short"}').strict, [true, true, true]);
    assert.deepEqual(set.evaluate('{"name": 1, "summary": "much too long here"}').strict, [false, false, false]);
  });

  test('an unknown check or a bad kwarg names the file and line', () => {
    assert.throws(
      () => parsePromptsJsonl('{"prompt": "x", "checks": [{"type": "max-wordz", "value": 3}]}', 'p.jsonl'),
      /p\.jsonl:1: unknown check type "max-wordz"/,
    );
    assert.throws(
      () =>
        parsePromptsJsonl('{"prompt": "x", "instruction_id_list": ["keywords:existence"], "kwargs": [{}]}', 'p.jsonl'),
      /p\.jsonl:1: keywords:existence needs "keywords"/,
    );
  });

  test('null kwargs (the Hub copy of IFEval pads every kwargs object) count as absent', () => {
    const specs = instructionsOfRecord(
      {
        instruction_id_list: ['punctuation:no_comma'],
        kwargs: [{ num_words: null, relation: null }],
      },
      'p',
    );
    assert.equal(specs?.length, 1);
  });
});
