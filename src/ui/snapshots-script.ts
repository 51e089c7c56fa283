/**
 * The domain page's snapshot script, shipped inside the agent as plain JavaScript: takes a snapshot
 * from the form, and reverts or deletes one after the operator confirms, through the same REST
 * routes under /ui/api (with the dashboard's header); the page reloads to show the new tree.
 */

/** snapshots.js */
export const SNAPSHOTS_JS = String.raw`
(function () {
  'use strict';
  var section = document.getElementById('snapshots');
  if (!section) return;
  var name = section.dataset.domain;
  var result = document.getElementById('snapshot-result');
  var base = '/ui/api/domains/' + encodeURIComponent(name) + '/snapshots';

  function say(text, bad) { result.textContent = text; result.className = bad ? 'result error' : 'result'; }
  function send(method, url, body, done) {
    say('Working…');
    fetch(url, { method: method, headers: { 'content-type': 'application/json', 'x-gvh-ui': '1' }, body: body === null ? undefined : JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (data) { return { ok: res.ok, data: data }; }); })
      .then(function (r) {
        if (!r.ok) return say((r.data.error && r.data.error.message) || 'refused', true);
        say(done);
        setTimeout(function () { location.reload(); }, 400);
      })
      .catch(function (e) { say('The agent did not answer: ' + e.message, true); });
  }
  var form = document.getElementById('snapshot-form');
  if (form) form.addEventListener('submit', function (e) {
    e.preventDefault();
    var body = { diskOnly: form.elements.diskOnly.checked };
    if (form.elements.name.value) body.name = form.elements.name.value;
    if (form.elements.description.value) body.description = form.elements.description.value;
    send('POST', base, body, 'Snapshot taken.');
  });
  section.addEventListener('click', function (e) {
    var button = e.target.closest('button[data-snapshot-action]');
    if (!button) return;
    var snap = button.dataset.name;
    var url = base + '/' + encodeURIComponent(snap);
    if (button.dataset.snapshotAction === 'revert') {
      if (!confirm('Revert ' + name + ' to snapshot ' + snap + '? Everything written since it was taken is lost.')) return;
      send('POST', url + '/revert', {}, 'Reverted to ' + snap + '.');
    } else {
      if (!confirm('Delete snapshot ' + snap + '? Its children stay, attached to its parent.')) return;
      send('DELETE', url, null, 'Deleted ' + snap + '.');
    }
  });
})();
`;
