import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPlaceholder } from '../../../lib/config/findPlaceholder';

describe('findPlaceholder', () => {
  it.each([
    // documentation domains (RFC 2606 / 6761)
    ['collections@example.com', /example\.com, a domain reserved for documentation/],
    ['ops@EXAMPLE.ORG', /example\.org/],
    ['billing@mail.example.net', /mail\.example\.net/],
    ['Pay at https://pay.example.com/now', /pay\.example\.com/],
    ['admin@acme.test', /acme\.test/],
    ['x@host.invalid', /host\.invalid/],
    // the project's own sample numbers and fictional ones
    ['+49 30 1234567', /sample number/],
    ['+49301234567', /sample number/],
    ['+491511234567', /sample number/],
    ['+4930123456', /sample number/],
    ['+1 202 555 0143', /555-01xx/],
    ['555-0100', /555-01xx/],
    ['+15550100', /555-01xx/],
    ['+44 7700 900123', /Ofcom/],
    ['07700 900999', /Ofcom/],
    ['+49 30 0000000', /seven equal digits/],
    // the operator guide's own example for alertPhones, and runs anywhere in the number
    ['+4915112345678', /six consecutive digits/],
    ['+49 151 2345 6789', /six consecutive digits/],
    ['+49 89 987654 10', /six consecutive digits/],
    // filler domains of tutorials and forms
    ['test@test.com', /test\.com, a filler domain/],
    ['you@yourdomain.com', /yourdomain\.com/],
    ['Mail ops@your-company.com', /your-company\.com/],
    ['This device is locked. Call +49 30 1234567.', /sample number/],
    // words, slots, variables
    ['TODO', /"TODO"/],
    ['todo: write the message', /"todo"/],
    ['CHANGEME', /CHANGEME/],
    ['change_me', /change_me/],
    ['Replace-Me please', /Replace-Me/],
    ['TBD', /TBD/],
    ['Call <your number> to unlock', /template slot <your number>/],
    [['$', '{param:overdueLockMessage}'].join(''), /unresolved variable/],
    ['+49 XXX XXXXXXX', /xxx/],
    ['Lorem ipsum dolor sit amet', /lorem ipsum/i],
    ['placeholder', /"placeholder"/],
    ['Placeholder text for the lock screen', /"Placeholder"/],
    ['To-Do', /"To-Do"/],
    ['to do', /"to do"/],
    ['N/A', /"N\/A"/],
    ['Contact: n/a', /"n\/a"/],
    ['TBC', /"TBC"/],
    ['dummy', /"dummy"/],
    ['{{tel}}', /template slot \{\{tel\}\}/],
    ['Call {{ contact.tel }} to unlock', /template slot \{\{ contact\.tel \}\}/],
    ['Call {tel}', /template slot \{tel\}/],
    ['%TEL%', /template slot %TEL%/],
    ['Call $CONTACT_TEL', /template slot \$CONTACT_TEL/],
    ['Call [your number] now', /template slot \[your number\]/],
  ])('%s is a placeholder', (value, reason) => {
    expect(findPlaceholder(value)).toMatch(reason);
  });

  it.each([
    '',
    '   ',
    '+49 89 2024 7710',
    '+1 415 867 5309',
    '+44 20 7946 1234',
    'inkasso@acme-finanz.de',
    'collections@examples.com',
    'ops@notexample.com',
    'Your instalment is overdue. Pay in the app or call us to unlock this device.',
    'Your next instalment is due in 3 days.',
    'Please contact our latest test team', // "test" as a word, not a .test domain
    'The box is boxxy', // x's inside a word
    'Pay 50% now and 50% next month', // percentages, not a %SLOT%
    'info@testbank.com',
    'inkasso@contest.com',
    'Contact NASA or the DNA lab', // "na" inside words, no slash
    'Pay 25 $ now', // a currency sign, not a $VARIABLE
    '+49 89 1245 7836', // digits up, but never six in a row
  ])('%s is not a placeholder', (value) => {
    expect(findPlaceholder(value)).toBeUndefined();
  });

  it('never throws, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (value) => {
        const result = findPlaceholder(value);
        expect(result === undefined || typeof result === 'string').toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds the sample domain wherever it sits in an address or text', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        fc.constantFrom('example.com', 'example.org', 'example.net'),
        fc.stringMatching(/^[A-Za-z ,.]{0,40}$/),
        (local, domain, text) => {
          expect(findPlaceholder(`${text} ${local}@${domain}`)).toContain(domain);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
