/** Post-processing: digits + field constraints -> a field's value, confidence and review flags. */
import type { FieldRegion } from '../segment/fields';
import type { DigitResult, FieldResult } from './document';

/** A field's confidence: the reader's, else the product of its digits' confidences. */
export function stringConfidence(digits: DigitResult[], given?: number): number {
  return given ?? digits.reduce((p, d) => p * d.confidence, 1);
}

/**
 * Applies the field's constraints. A field whose confidence (the probability that the whole
 * string is right: given by the reader, else the product of its digits' confidences) is below
 * `minConfidence` needs review; `notes` (what the reader says of the field) join its reasons then.
 */
export function assembleField(region: FieldRegion, digits: DigitResult[], minConfidence: number, fieldConfidence?: number, notes: string[] = []): FieldResult {
  const value = digits.map((d) => d.value).join('');
  const confidence = stringConfidence(digits, fieldConfidence);
  const reasons: string[] = [];
  if (confidence < minConfidence) {
    const low = digits.filter((d) => d.confidence < minConfidence).length;
    reasons.push(`confidence ${confidence.toFixed(3)} below ${minConfidence}${low ? ` (${low} digit(s) below it)` : ''}`);
  }
  if (region.length !== undefined && value.length !== region.length) reasons.push(`expected ${region.length} digits, read ${value.length}`);
  if (region.pattern !== undefined && !new RegExp(`^(?:${region.pattern})$`).test(value)) reasons.push(`does not match pattern ${region.pattern}`);
  if (region.type === 'zip' && value.length !== 5 && value.length !== 9) reasons.push(`a zip code has 5 or 9 digits, read ${value.length}`);
  const needsReview = reasons.length > 0;
  if (needsReview) reasons.push(...notes);
  return { name: region.name, value, confidence, needsReview, reasons, box: region.box, digits };
}
