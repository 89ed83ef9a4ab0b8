// Encodes lines with a JavaScript reference tokenizer from npm, for the parity tests of BpeTokenizer.
// usage: node reference-encode.js <npm prefix> <gpt2 | hf:<tokenizer.json>> <input.json: string[]> <output.json>
// Output: { ids: number[][], decoded: string[] }.
'use strict';
const fs = require('fs');
const path = require('path');

const [prefix, mode, inputPath, outputPath] = process.argv.slice(2);
const lines = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
const modules = path.join(prefix, 'node_modules');

let encode, decode;
if (mode === 'gpt2') {
  const gpt2 = require(path.join(modules, 'gpt-3-encoder'));
  encode = text => gpt2.encode(text);
  decode = ids => gpt2.decode(ids);
} else if (mode.startsWith('hf:')) {
  const { TokenizerLoader } = require(path.join(modules, '@lenml', 'tokenizers'));
  const jsonPath = mode.slice(3);
  const configPath = path.join(path.dirname(jsonPath), 'tokenizer_config.json');
  const tokenizer = TokenizerLoader.fromPreTrained({
    tokenizerJSON: JSON.parse(fs.readFileSync(jsonPath, 'utf8')),
    tokenizerConfig: fs.existsSync(configPath) ? JSON.parse(fs.readFileSync(configPath, 'utf8')) : {},
  });
  encode = text => tokenizer.encode(text, { add_special_tokens: false });
  decode = ids => tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
} else {
  throw new Error(`unknown mode ${mode}`);
}

const ids = lines.map(encode);
fs.writeFileSync(outputPath, JSON.stringify({ ids, decoded: ids.map(x => (x.length > 0 ? decode(x) : '')) }));
