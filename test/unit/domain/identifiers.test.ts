import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { searchableWords, splitIdentifier } from '../../../src/domain/identifiers.ts';

describe('splitIdentifier', () => {
  const cases: [string, string, string[]][] = [
    ['snake_case', 'cust_phone_no', ['cust', 'phone', 'no']],
    ['a short snake_case name', 'tel_no', ['tel', 'no']],
    ['kebab-case', 'order-line-items', ['order', 'line', 'items']],
    ['dots', 'shop.public.orders', ['shop', 'public', 'orders']],
    ['spaces', 'My Documents', ['my', 'documents']],
    ['camelCase ending in an acronym', 'customerID', ['customer', 'id']],
    ['PascalCase after an acronym', 'HTTPServerError', ['http', 'server', 'error']],
    ['an acronym in the middle', 'XMLHttpRequest', ['xml', 'http', 'request']],
    ['a lowercase letter before a capital', 'iPhone', ['i', 'phone']],
    ['a plural acronym', 'customerIDs', ['customer', 'ids']],
    ['a plural acronym before a word', 'URLsList', ['urls', 'list']],
    ['a capitalised word ending in s', 'UsersCount', ['users', 'count']],
    ['all capitals', 'EMAILADDR', ['emailaddr']],
    ['a trailing digit', 'address2', ['address', '2']],
    ['digits between letters', 'v2beta', ['v', '2', 'beta']],
    ['digits inside PascalCase', 'Sha256Hash', ['sha', '256', 'hash']],
    ['alternating letters and digits', 'a1b2', ['a', '1', 'b', '2']],
    ['digits only', '2024', ['2024']],
    ['digit groups', '123_456', ['123', '456']],
    ['a repeated word', 'id_customer_id', ['id', 'customer']],
    ['a repeated word in another case', 'Name_NAME_name', ['name']],
    ['leading and trailing separators', '__init__', ['init']],
    ['runs of separators', 'a--b..c  d', ['a', 'b', 'c', 'd']],
    ['accented letters', 'données_client', ['données', 'client']],
    ['accented PascalCase', 'ÉtéTemps', ['été', 'temps']],
    ['a combining accent (NFC)', 'e\u0301cole', ['école']],
    ['caseless letters then an acronym', '客户ID', ['客户', 'id']],
    ['sharp s', 'Straße', ['straße']],
    ['capital sigma, lowercased per letter like Lucene', 'ΣΟΦΙΑΣ', ['σοφιασ']],
    ['dotted capital I, lowercased like Lucene', 'İstanbul', ['istanbul']],
    ['a titlecase digraph', 'ǅemal', ['ǆemal']],
    ['emoji and punctuation only', '🎉!?#', []],
    ['separators only', '___', []],
    ['the empty string', '', []],
  ];
  for (const [title, name, words] of cases) {
    it(`should split ${JSON.stringify(name)} when it has ${title}`, () => {
      assert.deepEqual(splitIdentifier(name), words);
    });
  }
});

describe('searchableWords', () => {
  it('should join the words of every name, each word once, in order of first appearance', () => {
    assert.equal(
      searchableWords(['customerID', 'cust_phone_no', 'CustomerName']),
      'customer id cust phone no name',
    );
  });

  it('should give an empty string when there are no names or no words', () => {
    assert.equal(searchableWords([]), '');
    assert.equal(searchableWords(['', '__']), '');
  });
});
