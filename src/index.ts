/**
 * digitscan: read handwritten digits off scanned documents.
 *
 * `scan()` reads files into documents (Document -> Page -> Field -> Digit), as `digitscan scan` does.
 * Stages are importable on their own: io (decoding, PDF pages), preprocess (threshold, deskew, line
 * removal, orientation), segment (fields, registration, digit crops, normalization), classify (models,
 * training, evaluation), pipeline (a page, a file, output formats).
 */
export type { GrayImage, BinaryImage, Box, DigitCrop } from './types';
export { decodeImage, decodePage, imagePageCount, InputError, DEFAULT_PIXEL_LIMIT, scanPpi } from './io/image';
export type { DecodeOptions, DecodedPage } from './io/image';
export { expandInputs } from './io/inputs';
export { normalizeDigit, otsuThreshold, MNIST_SIZE, MNIST_FIT } from './segment/normalize';
export type { NormalizeOptions } from './segment/normalize';
export { isolateDigit } from './segment/isolate';
export type { IsolateOptions } from './segment/isolate';
export { readPdfPages, pdfPageCount } from './io/pdf';
export type { PdfOptions, PdfPage } from './io/pdf';
export { loadOpenCV } from './preprocess/opencv';
export type { CV } from './preprocess/opencv';
export { cleanPage, isCutOut, LETTER_SIDE, STRIP_ASPECT, stripPpi } from './preprocess/page';
export type { CleanOptions, CleanPage } from './preprocess/page';
export { equalize, threshold, estimateSkew, rotate, removeSpecks, findLines, removeLines, turnAround, isNegative, invert } from './preprocess/steps';
export type { ThresholdMethod, LineMask } from './preprocess/steps';
export { textUpright, printOrientation, looksPrinted, shapedLikePrint } from './preprocess/orientation';
export type { PrintScore } from './preprocess/orientation';
export { parseTemplate, templateFields, boxFields, lineFields, linesOutside, notHandwriting, readingOrder, DEFAULT_MARK_SIZE } from './segment/fields';
export type { Template, TemplateField, FieldRegion, FieldType, CheckDigit, Lexicon } from './segment/fields';
export { registerTemplate } from './segment/registration';
export type { Registration } from './segment/registration';
export { cutDigits, extractDigits, type FieldCut, type SeparatorMark, type SkippedStroke } from './segment/digits';
export { withOverflow } from './segment/overflow';
export type { OverflowFields } from './segment/overflow';
export { faintInk, withFaintFields } from './segment/faint';
export type { FaintInk, FaintRegion } from './segment/faint';
export type { DigitOptions } from './segment/digits';
export { segmentGraph, bestPath, onSeparator, onBracket, separatorMarks } from './segment/strings';
export { signCandidates, eraseMarks } from './segment/signs';
export type { SignCandidate } from './segment/signs';
export { captionMarks } from './segment/captions';
export type { CaptionMark } from './segment/captions';
export type { SegmentGraph, PathOptions, PathResult } from './segment/strings';
export { scan, scanInputs, scanFile, scanPage, loadTemplate, writeOverlay, DEFAULT_WORK_SIZE } from './pipeline/scan';
export type { ScanOptions } from './pipeline/scan';
export type { DocumentResult, PageResult, FieldResult, FieldAlternative, DigitResult, PageRegistration } from './pipeline/document';
export { assembleField, checkDigitHolds, fieldFit, mostProbableAccepted, mostProbableStrings } from './pipeline/assemble';
export type { DigitReading, RankedString } from './pipeline/assemble';
export { bestInLexicon, inLexicon, LEXICON_MISS, lexiconValues, loadLexiconFile, parseLexicon } from './pipeline/lexicon';
export type { LexiconMatch, LexiconMatchOptions } from './pipeline/lexicon';
export { isDate, readDate, slashesFrom, slashLikeness } from './pipeline/dates';
export { amountGroups, amountText, inPageStyle, pageThousands, type AmountMark } from './pipeline/amounts';
export type { DateReading } from './pipeline/dates';
export { strokeShape, parenthesis, bracketPairs, peelParenthesis, touchingBracket } from './segment/shape';
export type { StrokeShape } from './segment/shape';
export { jsonDocument, jsonlLine, csvRows, csvHeader, parseCsvColumns, CSV_HEADER, CSV_COLUMNS, DEFAULT_CSV_COLUMNS } from './pipeline/output';
export type { CsvColumn } from './pipeline/output';
export type { OutputFormat } from './pipeline/output';
export { evaluateStrings } from './pipeline/strings';
export type { StringEvaluation, StringEvalOptions } from './pipeline/strings';
export { StringModel } from './classify/string-model';
export { generateForm, renderForm, SAMPLE_FORMS } from './samples/forms';
export type { GeneratedForm, FormFieldSpec, Artifacts } from './samples/forms';
export { makeFormSet, denseFormFields } from './samples/form-set';
export { makeSignSet, signFonts, SIGNS } from './samples/signs';
export type { SignSetOptions } from './samples/signs';
export type { FormSetOptions, FormSet } from './samples/form-set';
export { Classifier, applyTemperature } from './classify/classifier';
export type { Prediction, ClassifierOptions } from './classify/classifier';
export { useBackend, BACKENDS } from './classify/backend';
export { nativeStatus } from './classify/kernels/native';
export type { BackendName } from './classify/backend';
export { PRESETS, ARCH_NAMES, getPreset, learningRateAt, countParams } from './classify/zoo';
export type { Preset, Recipe, Schedule } from './classify/zoo';
export { train, AUGMENTS } from './classify/train';
export type { TrainOptions, TrainResult, EpochLog, TrainProgress } from './classify/train';
export { evaluate, loadEvalData } from './classify/evaluate';
export type { Evaluation } from './classify/evaluate';
export { computeMetrics } from './classify/metrics';
export type { Metrics, ClassMetrics } from './classify/metrics';
export { loadModel, saveModel, defaultModelDir, ModelError } from './classify/model-io';
export type { ModelMetadata, LoadedModel } from './classify/model-io';
export { loadMnist, loadLabeledDigits } from './classify/data/dataset';
export type { DigitDataset } from './classify/data/dataset';
export { parseIdx, readIdx, IdxError } from './classify/data/idx';
export { augmentDigit, SCAN_AUGMENT, PAPER_004_AUGMENT } from './classify/data/augment';
export type { AugmentSpec } from './classify/data/augment';
export { writeEvaluationReport } from './report/evaluation';
