import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export interface DocumentAnalysis {
  language_independent: {
    characters: number;
    characters_without_spaces: number;
    lines: number;
    paragraphs: number;
    words: number;
    unique_words: number;
    numbers: number;
    average_word_length: number;
  };
  sentences: { count: number; average_words: number; longest: string };
  tokens: { count: number; by_type: Record<string, number> };
  keywords: Array<{ term: string; count: number }>;
  /** Each distinct entity (value and type) once, with how often it occurs, in order of first occurrence. */
  entities: Array<{ value: string; type: string; count: number }>;
}

export const ANALYSIS_STEPS = ['statistics', 'sentences', 'tokens', 'keywords', 'entities'] as const;
export type AnalysisStep = (typeof ANALYSIS_STEPS)[number];

type StepListener = (step: AnalysisStep, index: number) => void;

let engine: ReturnType<typeof winkNLP> | undefined;

function nlp(): ReturnType<typeof winkNLP> {
  engine ??= winkNLP(model);
  return engine;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;

/** Counts that hold in any language: characters, lines, paragraphs, words (Unicode letters and digits). */
function languageIndependent(text: string): DocumentAnalysis['language_independent'] {
  const words = text.match(WORD) ?? [];
  const unique = new Set(words.map((word) => word.toLocaleLowerCase()));
  return {
    characters: [...text].length,
    characters_without_spaces: [...text.replace(/\s/gu, '')].length,
    lines: text.length === 0 ? 0 : text.split(/\r\n|\r|\n/).length,
    paragraphs: text.split(/\n\s*\n/).filter((paragraph) => paragraph.trim().length > 0).length,
    words: words.length,
    unique_words: unique.size,
    numbers: words.filter((word) => /^\p{N}+([.,]\p{N}+)*$/u.test(word)).length,
    average_word_length: words.length ? Math.round((words.reduce((sum, word) => sum + [...word].length, 0) / words.length) * 100) / 100 : 0,
  };
}

/** One entry per distinct (value, type), counted, in order of first occurrence. */
function countDistinct(entities: Array<{ value: string; type: string }>): DocumentAnalysis['entities'] {
  const distinct = new Map<string, { value: string; type: string; count: number }>();
  for (const { value, type } of entities) {
    const key = `${type}\u0000${value}`;
    const entry = distinct.get(key);
    if (entry) entry.count += 1;
    else distinct.set(key, { value, type, count: 1 });
  }
  return [...distinct.values()];
}

/**
 * Analyses a document's text: language-independent statistics, then (English model) sentences,
 * tokens by type, keywords (frequent non-stop-word terms) and named entities (dates, money,
 * percentages, emails, URLs, …), each distinct entity once with its count. Calls `onStep` as each step starts.
 */
export function analyzeDocument(text: string, onStep: StepListener = () => undefined): DocumentAnalysis {
  onStep('statistics', 0);
  const language_independent = languageIndependent(text);

  onStep('sentences', 1);
  const engine = nlp();
  const { its, as } = engine;
  const doc = engine.readDoc(text);
  const sentenceTexts = (doc.sentences().out() as string[]).filter((sentence) => sentence.trim().length > 0);
  const sentenceWords = sentenceTexts.map((sentence) => (sentence.match(WORD) ?? []).length);

  onStep('tokens', 2);
  const types = doc.tokens().out(its.type) as string[];
  const byType: Record<string, number> = {};
  for (const type of types) byType[type] = (byType[type] ?? 0) + 1;

  onStep('keywords', 3);
  const terms = doc
    .tokens()
    .filter((token) => token.out(its.type) === 'word' && !token.out(its.stopWordFlag) && String(token.out(its.normal)).length > 2)
    .out(its.normal, as.freqTable) as unknown as Array<[string, number]>;

  onStep('entities', 4);
  const entities = countDistinct(doc.entities().out(its.detail) as unknown as Array<{ value: string; type: string }>);

  return {
    language_independent,
    sentences: {
      count: sentenceTexts.length,
      average_words: sentenceTexts.length ? Math.round((sentenceWords.reduce((a, b) => a + b, 0) / sentenceTexts.length) * 100) / 100 : 0,
      longest: sentenceTexts.reduce((longest, sentence) => (sentence.length > longest.length ? sentence : longest), '').slice(0, 500),
    },
    tokens: { count: types.length, by_type: byType },
    keywords: terms.slice(0, 15).map(([term, count]) => ({ term, count })),
    entities: entities.slice(0, 100),
  };
}
