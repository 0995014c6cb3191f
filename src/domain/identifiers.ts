/**
 * Identifier splitting for search. The Elasticsearch that Steward targets has core modules only, so there is
 * no `word_delimiter_graph` to cut `custPhoneNo` or `cust_phone_no` into words at index time (and the
 * `standard` tokenizer keeps `cust_phone_no` and `shop.public.orders` whole). Words are therefore split here,
 * before indexing and before querying, so both sides agree on the words.
 *
 * Rules, in order:
 * - any character that is not a letter, a combining mark or a digit separates words (`_`, `-`, `.`, spaces…);
 * - a lowercase or caseless letter followed by an uppercase one starts a word: `customerID` → customer, id;
 * - in a run of capitals, the last capital starts a word when lowercase letters follow it:
 *   `HTTPServer` → http, server; except a plural `s` that ends the run: `customerIDs` → customer, ids;
 * - letters and digits are separate words: `address2` → address, 2; `v2beta` → v, 2, beta;
 * - words are lowercased and deduplicated, first occurrence first.
 *
 * Input is NFC-normalised first, so `e` + combining acute and `é` give one word. Lowercasing is per code
 * point, as Lucene's lowercase filter does (Java `Character.toLowerCase`), so a word split here equals the
 * token Elasticsearch makes of the same text: `Σ` is always `σ` (no final-sigma rule) and `İ` is `i`.
 */

const upper = String.raw`[\p{Lu}\p{Lt}]\p{M}*`;
// Caseless letters (CJK, Arabic, Hebrew…) behave as lowercase: they never start a new word by case.
const lower = String.raw`[\p{Ll}\p{Lm}\p{Lo}]\p{M}*`;
const word = new RegExp(
  [
    `(?:${upper})+s(?!${lower})`, // IDs, URLs
    `(?:${upper})+(?=${upper}${lower})`, // HTTP in HTTPServer
    `(?:${upper})?(?:${lower})+`, // customer, Server
    `(?:${upper})+`, // EMAILADDR, ID
    String.raw`\p{N}+`, // 2, 2024
  ].join('|'),
  'gu',
);

// JavaScript lowercases `İ` to `i` + combining dot (two code points); Java gives a plain `i`.
const lowercase = (w: string): string => Array.from(w, (c) => (c === 'İ' ? 'i' : c.toLowerCase())).join('');

/** The lowercase words of one identifier, deduplicated in order of first appearance. */
export function splitIdentifier(name: string): string[] {
  const words = name.normalize('NFC').match(word) ?? [];
  return [...new Set(words.map(lowercase))];
}

/** The words of many identifiers as one space-separated string, for a text field (deduplicated). */
export function searchableWords(names: readonly string[]): string {
  return [...new Set(names.flatMap(splitIdentifier))].join(' ');
}
