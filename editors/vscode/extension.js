// The VS Code client of `sopc lsp`: it starts the server for `.sop` files
// and hands it the documents; everything else is the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("sopc").get("path") || "sopc";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "sopc",
    "sopc",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "sop" },
        { scheme: "untitled", language: "sop" },
      ],
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
