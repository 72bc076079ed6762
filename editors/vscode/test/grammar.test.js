// The TextMate grammar, run by VS Code's own engine (vscode-textmate with
// Oniguruma) over every shipped policy: each class of token appears, and
// no word of the language (src/syntax/keywords.rs) is left unscoped.
// `npm test` in editors/vscode; tests/editors.rs runs it when the
// packages are installed.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.join(__dirname, "..", "..", "..");

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, "..", "syntaxes", "sop.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  return registry.loadGrammar("source.sop");
}

// Every word of the language, as src/syntax/keywords.rs lists them.
function keywords() {
  const src = fs.readFileSync(path.join(root, "src", "syntax", "keywords.rs"), "utf8");
  const words = new Set();
  for (const m of src.matchAll(/pub const \w+: &\[&str\] = &\[([\s\S]*?)\];/g)) {
    for (const w of m[1].matchAll(/"([a-z]+)"/g)) words.add(w[1]);
  }
  return words;
}

function policies() {
  const dir = path.join(root, "policies");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sop"))
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]);
}

test("every shipped policy is highlighted, keywords and all", async () => {
  const grammar = await loadGrammar();
  const words = keywords();
  assert.ok(words.size > 100, "the keyword list is read");
  const seen = new Set();
  for (const [name, text] of policies()) {
    let stack = vsctm.INITIAL;
    text.split("\n").forEach((line, n) => {
      const result = grammar.tokenizeLine(line, stack);
      for (const token of result.tokens) {
        const piece = line.slice(token.startIndex, token.endIndex);
        const scope = token.scopes[token.scopes.length - 1];
        seen.add(scope);
        if (token.scopes.length === 1) {
          for (const word of piece.match(/[A-Za-z_][A-Za-z0-9_]*/g) || []) {
            assert.ok(!words.has(word), `${name}:${n + 1}: \`${word}\` is a keyword without a scope`);
          }
        }
      }
      stack = result.ruleStack;
    });
  }
  for (const scope of [
    "comment.line.number-sign.sop",
    "string.quoted.double.sop",
    "variable.other.data.sop",
    "keyword.declaration.sop",
    "entity.name.function.sop",
    "keyword.other.action.sop",
    "keyword.control.sop",
    "keyword.operator.arrow.sop",
    "entity.other.attribute-name.header.sop",
    "entity.other.attribute-name.ticket.sop",
    "keyword.other.scenario.sop",
    "support.type.data-class.sop",
    "support.type.target-kind.sop",
    "support.type.outcome-kind.sop",
    "support.type.fact-type.sop",
    "keyword.other.fact-source.sop",
    "keyword.operator.word.range.sop",
    "keyword.operator.word.verify.sop",
    "keyword.other.sop",
    "constant.numeric.date.sop",
    "constant.numeric.sop",
  ]) {
    assert.ok(seen.has(scope), `no shipped policy has a token of \`${scope}\``);
  }
});
