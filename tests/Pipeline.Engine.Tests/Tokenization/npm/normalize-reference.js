// Unicode normalization by JavaScript's String.prototype.normalize (ICU), the reference of UnicodeNormalizer's tests:
// every Unicode scalar value, alone or between each given prefix and suffix, in NFC and NFD.
// usage: node normalize-reference.js <contexts.json: [[prefix, suffix], ...]> <output.json>
// Output: { unicode, icu, changed: [[context, codePoint, nfc, nfd], ...] }, listing only the strings a form changes
// (nfc or nfd is null where that form leaves the string as it is); unicode is the version ICU implements.
'use strict';
const fs = require('fs');

const [contextsPath, outputPath] = process.argv.slice(2);
const contexts = JSON.parse(fs.readFileSync(contextsPath, 'utf8'));

const changed = [];
contexts.forEach(([prefix, suffix], context) => {
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) {
      continue;
    }
    const text = prefix + String.fromCodePoint(cp) + suffix;
    const nfc = text.normalize('NFC');
    const nfd = text.normalize('NFD');
    if (nfc !== text || nfd !== text) {
      changed.push([context, cp, nfc === text ? null : nfc, nfd === text ? null : nfd]);
    }
  }
});
const versions = process.versions;
fs.writeFileSync(outputPath, JSON.stringify({ unicode: versions.unicode ?? null, icu: versions.icu ?? null, changed }));
