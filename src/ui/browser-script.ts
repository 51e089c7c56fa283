/**
 * The overview's script, shipped inside the agent as plain JavaScript (no build step). It keeps the
 * domains table current from the event stream (/ui/api/events: the same feed as /v1/events,
 * authenticated by the session cookie, which EventSource sends by itself), and runs the row
 * actions through the same REST endpoints (/ui/api/domains/{name}/actions/{action}). Actions are
 * sent with Prefer: respond-async (wait=10): a long one answers 202 and is followed, like every
 * running operation, through the stream's operation events: a progress bar, a Cancel button
 * (DELETE /ui/api/operations/{id}), and its domain's row saying what runs. Without it the page
 * still shows everything as rendered.
 */

/** app.js */
export const APP_JS = String.raw`
(function () {
  'use strict';
  var table = document.getElementById('domains');
  if (!table) return;
  // A guest without a screen has no thumbnail: hide its image rather than show it broken.
  table.addEventListener('error', function (e) { if (e.target.classList && e.target.classList.contains('thumb')) e.target.hidden = true; }, true);
  var body = table.tBodies[0];
  var live = document.getElementById('live-status');
  var template = document.getElementById('row-template');
  var DESTRUCTIVE = { destroy: true, reset: true };

  function rowOf(name) {
    var rows = body.rows;
    for (var i = 0; i < rows.length; i++) if (rows[i].dataset.domain === name) return rows[i];
    return null;
  }
  function cell(tr, col) { return tr.querySelector('[data-col="' + col + '"]'); }
  function setText(el, text) { if (el) el.textContent = text; }
  function mib(kib) { return kib === null || kib === undefined ? '–' : String(Math.round(kib / 1024)); }
  function secs(ns) { return ns === null || ns === undefined ? '–' : (Number(ns) / 1e9).toFixed(1); }
  function dash(v) { return v === null || v === undefined ? '–' : String(v); }

  function setState(tr, state, reason) {
    var c = cell(tr, 'state');
    if (!c) return;
    var s = c.querySelector('.state');
    s.textContent = state;
    s.className = 'state state-' + state.replace(/[^a-z]+/g, '-');
    setText(c.querySelector('.reason'), reason ? '(' + reason + ')' : '');
    tr.dataset.state = state;
    applyState(tr);
  }

  // The same rule as the server's actionEnabled: a button lists the states it works in; in a state
  // no button lists (unknown), every one stays enabled. A busy row keeps everything disabled.
  function applyState(tr) {
    if (tr.getAttribute('aria-busy') === 'true') return;
    var state = tr.dataset.state || '';
    var buttons = tr.querySelectorAll('.actions button[data-enabled-in]');
    var known = Array.prototype.some.call(buttons, function (b) { return b.dataset.enabledIn.split('|').indexOf(state) >= 0; });
    Array.prototype.forEach.call(buttons, function (b) {
      b.disabled = known && b.dataset.enabledIn.split('|').indexOf(state) < 0;
    });
  }

  function newRow(name) {
    var tr = template.content.firstElementChild.cloneNode(true);
    tr.dataset.domain = name;
    var link = tr.querySelector('[data-col="name"] a');
    link.textContent = name;
    link.href = '/ui/domains/' + encodeURIComponent(name);
    var group = tr.querySelector('.actions');
    if (group) group.setAttribute('aria-label', 'Actions for ' + name);
    var names = Array.prototype.map.call(body.rows, function (r) { return r.dataset.domain; });
    var before = null;
    for (var i = 0; i < names.length; i++) if (names[i] > name) { before = body.rows[i]; break; }
    body.insertBefore(tr, before);
    return tr;
  }

  function render(d) {
    var tr = rowOf(d.name) || newRow(d.name);
    setState(tr, d.state, d.reason);
    setText(cell(tr, 'vcpus'), dash(d.vcpus));
    setText(cell(tr, 'memory'), mib(d.memoryKiB));
    setText(cell(tr, 'cpu'), secs(d.cpuTimeNs));
  }

  function refresh(name) {
    return fetch('/ui/api/domains/' + encodeURIComponent(name) + '?source=cached', { credentials: 'same-origin' })
      .then(function (res) {
        if (res.status === 404) { var tr = rowOf(name); if (tr) tr.remove(); return; }
        if (res.ok) return res.json().then(render);
      }).catch(function () {});
  }

  function refreshAll() {
    return fetch('/ui/api/domains?source=cached', { credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (list) {
        if (!list) return;
        var seen = {};
        list.domains.forEach(function (d) { seen[d.name] = true; render(d); });
        Array.prototype.slice.call(body.rows).forEach(function (r) { if (!seen[r.dataset.domain]) r.remove(); });
      }).catch(function () {});
  }

  var opsList = document.getElementById('operations');
  var opsEmpty = document.getElementById('operations-empty');
  var canCancel = opsList && opsList.dataset.canCancel === 'true';

  function mibOf(bytes) { return typeof bytes === 'number' ? (bytes / 1048576).toFixed(1) : '?'; }
  // The same words as the server's progressText (ui/operations.tsx).
  function progressText(op) {
    var p = op.progress || {};
    if (typeof p.dataProcessed === 'number') return (p.phase || 'copying') + ': ' + mibOf(p.dataProcessed) + ' of ' + mibOf(p.dataTotal) + ' MiB';
    if (typeof p.step === 'number') return 'step ' + p.step + ' of ' + p.of + ': ' + (p.current || '');
    if (typeof p.remainingSeconds === 'number') return 'waited ' + p.waitedSeconds + ' s, ' + p.remainingSeconds + ' s left';
    return 'running';
  }
  function opItem(id) { return opsList ? opsList.querySelector('[data-operation="' + id + '"]') : null; }
  function newOpItem(op) {
    var li = document.createElement('li');
    li.dataset.operation = String(op.id);
    li.dataset.domain = op.domain || '';
    var title = document.createElement('span');
    title.className = 'op-title';
    title.textContent = op.action + ' ' + (op.domain || '') + ' #' + op.id;
    var bar = document.createElement('progress');
    bar.setAttribute('aria-label', op.action + ' progress');
    var text = document.createElement('span');
    text.className = 'op-progress';
    li.appendChild(title); li.appendChild(bar); li.appendChild(text);
    if (canCancel && op.cancelable) {
      var b = document.createElement('button');
      b.type = 'button'; b.className = 'danger'; b.dataset.cancel = String(op.id); b.textContent = 'Cancel';
      li.appendChild(b);
    }
    opsList.insertBefore(li, opsList.firstChild);
    return li;
  }
  function showOperation(op) {
    if (!opsList) return;
    var li = opItem(op.id);
    var tr = op.domain ? rowOf(op.domain) : null;
    if (op.status === 'running' || op.status === 'pending') {
      li = li || newOpItem(op);
      var bar = li.querySelector('progress');
      var p = op.progress || {};
      if (typeof p.percent === 'number') { bar.max = 100; bar.value = p.percent; } else bar.removeAttribute('value');
      setText(li.querySelector('.op-progress'), progressText(op));
      if (tr) setText(cell(tr, 'result'), op.action + ': ' + progressText(op) + ' · operation #' + op.id);
    } else {
      if (li) li.remove();
      if (tr && cell(tr, 'result') && cell(tr, 'result').dataset.operation === String(op.id)) {
        var out = cell(tr, 'result');
        setText(out, op.action + ': ' + op.status + (op.error ? ' · ' + op.error.message : '') + ' · audit record #' + op.id);
        out.className = 'result ' + (op.status === 'succeeded' ? 'outcome-succeeded' : 'outcome-failed');
        setBusy(tr, false);
      }
    }
    if (opsEmpty) opsEmpty.hidden = opsList.children.length > 0;
  }
  if (opsList) opsList.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-cancel]');
    if (!b || b.disabled) return;
    if (!window.confirm('Cancel operation #' + b.dataset.cancel + '?')) return;
    b.disabled = true;
    fetch('/ui/api/operations/' + encodeURIComponent(b.dataset.cancel), {
      method: 'DELETE', credentials: 'same-origin', headers: { 'x-gvh-ui': '1' }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (answer) {
        if (res.ok) showOperation(answer); else { b.disabled = false; window.alert('Cancel failed: ' + ((answer.error && answer.error.message) || res.status)); }
      });
    }).catch(function () { b.disabled = false; });
  });

  function connect() {
    var es = new EventSource('/ui/api/events?type=lifecycle,audit,operation');
    es.onopen = function () { setText(live, 'Live: updates arrive as they happen.'); refreshAll(); };
    es.onerror = function () { setText(live, 'Live updates interrupted; reconnecting…'); };
    es.onmessage = function (e) {
      var m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === 'gap') { refreshAll(); return; }
      if (m.type === 'operation') { if (m.operation) showOperation(m.operation); return; }
      if (!m.domain) return;
      if (m.type === 'lifecycle') {
        var tr = rowOf(m.domain);
        if (tr && m.state && m.state !== 'undefined') setState(tr, m.state, '');
      }
      refresh(m.domain);
    };
  }

  function setBusy(tr, busy) {
    tr.setAttribute('aria-busy', busy ? 'true' : 'false');
    Array.prototype.forEach.call(tr.querySelectorAll('.actions button, .actions input'), function (b) { b.disabled = busy; });
    if (!busy) applyState(tr);
  }

  function describe(action, res, answer) {
    if (res.ok) {
      var extra = answer.shutdown ? ' (' + answer.shutdown + ')' : '';
      return action + ': ' + answer.state + extra + ' · audit record #' + answer.auditId;
    }
    var e = answer.error || {};
    return action + ' failed: ' + (e.code || res.status) + ' · ' + (e.message || '') + (e.auditId ? ' · audit record #' + e.auditId : '');
  }

  function act(tr, button) {
    var action = button.dataset.action;
    var name = tr.dataset.domain;
    var payload = {};
    if (action === 'shutdown') {
      var wait = tr.querySelector('[data-field="wait"]');
      var force = tr.querySelector('[data-field="force"]');
      if (wait && wait.value !== '') payload.wait = Number(wait.value);
      if (force && force.checked) payload.force = true;
    }
    var destructive = DESTRUCTIVE[action] || (action === 'shutdown' && payload.force);
    var question = action === 'shutdown' ? 'Shut down ' + name + ' and force it off if it has not stopped after ' + (payload.wait || 0) + ' s?'
      : action.charAt(0).toUpperCase() + action.slice(1) + ' ' + name + '? The guest loses anything it has not saved.';
    if (destructive && !window.confirm(question)) return;
    var out = cell(tr, 'result');
    setBusy(tr, true);
    setText(out, action + ': running…');
    out.className = 'result';
    var following = false;
    fetch('/ui/api/domains/' + encodeURIComponent(name) + '/actions/' + action, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-gvh-ui': '1', prefer: 'respond-async, wait=10' },
      body: JSON.stringify(payload)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (answer) {
        if (res.status === 202) {
          following = true;
          out.dataset.operation = String(answer.id);
          showOperation(answer);
          return;
        }
        setText(out, describe(action, res, answer));
        out.className = 'result ' + (res.ok ? 'outcome-succeeded' : 'outcome-failed');
        var id = res.ok ? answer.auditId : answer.error && answer.error.auditId;
        if (id) out.dataset.auditId = String(id);
        if (res.ok && answer.state) setState(tr, answer.state, answer.reason || '');
      });
    }).catch(function (err) {
      setText(out, action + ' failed: ' + err.message);
      out.className = 'result outcome-failed';
    }).then(function () { if (!following) { setBusy(tr, false); refresh(name); } });
  }

  table.addEventListener('click', function (e) {
    var button = e.target.closest('button[data-action]');
    if (!button) return;
    var tr = button.closest('tr');
    if (tr && !button.disabled) act(tr, button);
  });
  connect();
})();
`;
