import { analyzeDocument, ANALYSIS_STEPS } from './analyze-document';

describe('analyzeDocument', () => {
  const text = 'Invoice INV-42 from ACME Corp.\nACME billed $1,200 on 12 March 2024 for consulting.\n\nPayment is due in 30 days. Contact billing@acme.example for invoice questions.';

  it('computes language-independent statistics', () => {
    const { language_independent: stats } = analyzeDocument(text);
    expect(stats.lines).toBe(4);
    expect(stats.paragraphs).toBe(2);
    expect(stats.words).toBeGreaterThan(20);
    expect(stats.numbers).toBeGreaterThanOrEqual(3);
    expect(stats.characters).toBe(text.length);
  });

  it('finds sentences, tokens, keywords and entities', () => {
    const analysis = analyzeDocument(text);
    expect(analysis.sentences.count).toBe(3); // "Corp." is an abbreviation, not a sentence end
    expect(analysis.tokens.count).toBeGreaterThan(analysis.language_independent.words);
    expect(analysis.tokens.by_type['word']).toBeGreaterThan(10);
    expect(analysis.keywords.map((keyword) => keyword.term)).toEqual(expect.arrayContaining(['invoice', 'acme']));
    expect(analysis.keywords.find((keyword) => keyword.term === 'invoice')?.count).toBe(2);
    const types = analysis.entities.map((entity) => entity.type);
    expect(types).toEqual(expect.arrayContaining(['MONEY', 'DATE', 'EMAIL']));
  });

  it('lists each entity once, with the number of times it occurs', () => {
    const repeated = Array.from({ length: 20 }, () => 'Write to billing@acme.example today.').join(' ');
    const { entities } = analyzeDocument(`${repeated} Or to help@acme.example.`);
    expect(entities.filter((entity) => entity.value === 'billing@acme.example')).toEqual([{ value: 'billing@acme.example', type: 'EMAIL', count: 20 }]);
    expect(entities.filter((entity) => entity.type === 'EMAIL')).toHaveLength(2);
    expect(entities.find((entity) => entity.value === 'help@acme.example')).toMatchObject({ count: 1 });
  });

  it('counts words in any script', () => {
    const stats = analyzeDocument('Facture numéro 12 — payée. Счёт оплачен. 請求書').language_independent;
    expect(stats.words).toBe(7);
  });

  it('reports each step in order', () => {
    const steps: string[] = [];
    analyzeDocument('One. Two.', (step) => steps.push(step));
    expect(steps).toEqual([...ANALYSIS_STEPS]);
  });

  it('handles an empty document', () => {
    expect(analyzeDocument('')).toMatchObject({ language_independent: { words: 0, lines: 0 }, sentences: { count: 0 } });
  });
});
