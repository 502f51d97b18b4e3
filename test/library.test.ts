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

  test('CSV rows take the columns asked for, in their order; an unknown column is named', () => {
    const page: digitscan.PageResult = {
      page: 2, width: 2550, height: 3300, skew: 0,
      fields: [
        {
          name: 'amount', value: '425097', text: '4,250.97', confidence: 0.8123456, needsReview: true, reasons: ['confidence 0.81 < 0.9', 'a "quoted" reason'], box: [10, 20, 300, 80],
          digits: [{ value: '4', confidence: 0.99994, box: [12, 22, 30, 60] }, { value: '2', confidence: 0.5, box: [50, 22, 28, 61] }],
          alternatives: [{ value: '425091', confidence: 0.1 }],
        },
        { name: 'zip', value: '', confidence: 1, needsReview: false, reasons: [], box: [0, 0, 5, 5], digits: [] },
      ],
    };
    expect(digitscan.csvHeader()).toBe(digitscan.CSV_HEADER);
    expect(digitscan.csvRows('a.png', page)).toEqual(['a.png,2,amount,425097,0.812346,true', 'a.png,2,zip,,1.000000,false']);
    const columns = digitscan.parseCsvColumns('field,text,reasons, x y,w,h,digit_confidences,digit_boxes,alternatives');
    expect(digitscan.csvHeader(columns)).toBe('field,text,reasons,x,y,w,h,digit_confidences,digit_boxes,alternatives');
    expect(digitscan.csvRows('a.png', page, columns)).toEqual([
      'amount,"4,250.97","confidence 0.81 < 0.9; a ""quoted"" reason",10,20,300,80,0.9999 0.5000,12 22 30 60;50 22 28 61,425091:0.100000',
      'zip,,,0,0,5,5,,,',
    ]);
    expect(() => digitscan.parseCsvColumns('source,amount,bogus')).toThrow(/unknown columns "amount", "bogus": choose from source, page, field, value, text/);
    expect(() => digitscan.parseCsvColumns(' , ')).toThrow(/no columns given/);
  });

  test('every stage is exported', () => {
    for (const name of ['decodePage', 'readPdfPages', 'cleanPage', 'threshold', 'estimateSkew', 'removeLines', 'textUpright', 'turnAround', 'parseTemplate', 'templateFields', 'boxFields', 'lineFields', 'registerTemplate', 'extractDigits', 'cutDigits', 'withOverflow', 'faintInk', 'withFaintFields', 'isNegative', 'invert', 'segmentGraph', 'bestPath', 'signCandidates', 'eraseMarks', 'captionMarks', 'normalizeDigit', 'Classifier', 'train', 'evaluate', 'assembleField', 'mostProbableAccepted', 'fieldFit', 'checkDigitHolds', 'bestInLexicon', 'parseLexicon', 'mostProbableStrings', 'readDate', 'slashesFrom', 'isDate', 'amountText', 'amountGroups', 'pageThousands', 'inPageStyle', 'separatorMarks', 'onBracket', 'strokeShape', 'parenthesis', 'bracketPairs', 'peelParenthesis', 'touchingBracket', 'scanPage', 'scanFile', 'scanInputs', 'scan', 'writeOverlay', 'jsonDocument', 'generateForm', 'renderForm', 'makeFormSet', 'makeSignSet'] as const) {
      expect(typeof (digitscan as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
