// Loads editors/vscode/extension.js with stand-ins for the `vscode` and
// `vscode-languageclient/node` modules (not installed here), activates it,
// and prints what it would start, as JSON: the command and arguments, the
// documents it serves and the files it watches. tests/lsp.rs then starts
// that command and speaks to it.
const Module = require("module");
const path = require("path");

const seen = {};
const fakes = {
  vscode: {
    workspace: {
      getConfiguration: (section) => ({
        get: (key) => (section === "journeydoc" && key === "path" ? process.env.JOURNEYDOC_PATH : undefined),
      }),
      createFileSystemWatcher: (glob) => ({ glob }),
    },
  },
  "vscode-languageclient/node": {
    LanguageClient: class {
      constructor(id, name, server, client) {
        Object.assign(seen, { id, name, server, client });
      }
      start() {
        seen.started = true;
        return Promise.resolve();
      }
      stop() {}
    },
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return Object.prototype.hasOwnProperty.call(fakes, request) ? fakes[request] : load.call(this, request, ...rest);
};

const extension = require(path.resolve(__dirname, "../../editors/vscode/extension.js"));
const context = { subscriptions: [] };
Promise.resolve(extension.activate(context)).then(() => {
  console.log(
    JSON.stringify({
      id: seen.id,
      started: seen.started === true,
      command: seen.server.run.command,
      args: seen.server.run.args,
      documents: seen.client.documentSelector,
      watch: seen.client.synchronize.fileEvents.glob,
      disposables: context.subscriptions.length,
    }),
  );
});
