// Each line of a file (its line end removed) as gpt-3-encoder's ids, a JSON array a line:
// the independent implementation of GPT-2's BPE that tests/core/test_tokenizer.cpp and
// experiments/tokenizer compare QNStudio's with.
//   node encode_lines.js GPT3_ENCODER_FOLDER FILE
// Prints "seconds <s>" to stderr: the encoding time alone (reading and printing left out).
const fs = require("fs");
const path = require("path");
const { encode } = require(path.resolve(process.argv[2], "index.js"));
const lines = fs.readFileSync(process.argv[3], "utf-8").split("\n");
if (lines.length && lines[lines.length - 1] === "") lines.pop();
const started = process.hrtime.bigint();
const encoded = lines.map((line) => encode(line.endsWith("\r") ? line.slice(0, -1) : line));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(encoded.map((ids) => JSON.stringify(ids)).join("\n") + "\n");
process.stderr.write(`seconds ${seconds}\n`);
