// The journeydoc extension: starts `journeydoc lsp` for the Markdown files
// of a workspace with a book.toml and tells it when files change on disk.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("journeydoc").get("path") || "journeydoc";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "journeydoc",
    "journeydoc",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "markdown" }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.md,book.toml,*.csv}"),
      },
    },
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
