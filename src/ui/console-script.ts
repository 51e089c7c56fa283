/**
 * The domain page's console script, shipped inside the agent as plain JavaScript (no build step):
 * an xterm.js terminal (served by the agent, /ui/assets/xterm.js) over the console WebSocket
 * (/ui/api/domains/{name}/console, authenticated by the session cookie). The close reason the
 * agent gives (the guest stopped, another session took over...) is shown under the terminal.
 */

/** console.js */
export const CONSOLE_JS = String.raw`
(function () {
  'use strict';
  var section = document.getElementById('console');
  if (!section || !window.Terminal) return;
  var openButton = document.getElementById('console-open');
  var closeButton = document.getElementById('console-close');
  var force = document.getElementById('console-force');
  var status = document.getElementById('console-status');
  var box = document.getElementById('terminal');
  var name = section.dataset.domain;
  var encoder = new TextEncoder();
  var term = null, fit = null, ws = null;
  var NOT_OPENED = 'the console could not be opened (is the guest running? does another session hold it? tick "Take over")';

  function say(text) { status.textContent = text; }
  function terminal() {
    if (term) return term;
    term = new window.Terminal({ cursorBlink: true, scrollback: 5000, fontSize: 14 });
    if (window.FitAddon) { fit = new window.FitAddon.FitAddon(); term.loadAddon(fit); }
    term.open(box);
    term.onData(function (data) { if (ws && ws.readyState === 1) ws.send(encoder.encode(data)); });
    return term;
  }
  function open() {
    if (ws) return;
    terminal();
    if (fit) fit.fit();
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ui/api/domains/' + encodeURIComponent(name) + '/console' + (force.checked ? '?force=true' : '');
    var opened = false;
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    openButton.disabled = true;
    say('Connecting…');
    ws.onopen = function () {
      opened = true;
      closeButton.disabled = false;
      say('Connected: what you type goes to the guest (press Enter if nothing shows).');
      term.focus();
    };
    ws.onmessage = function (e) { term.write(new Uint8Array(e.data)); };
    ws.onclose = function (e) {
      ws = null;
      openButton.disabled = false;
      closeButton.disabled = true;
      say('Console closed: ' + (e.reason || (opened ? 'the connection dropped (code ' + e.code + ')' : NOT_OPENED)));
    };
  }
  openButton.addEventListener('click', open);
  closeButton.addEventListener('click', function () { if (ws) ws.close(1000, 'closed from the dashboard'); });
})();
`;
