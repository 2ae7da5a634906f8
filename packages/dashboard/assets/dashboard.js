/* global window, document, setTimeout, clearTimeout, EventSource */
/*
 * vecron dashboard live updates. One EventSource on the router's /events endpoint; every event
 * refreshes, through htmx.ajax, the regions marked with data-live="<fragment url>" whose
 * data-live-on lists the event's kind (execution, schedule, job) and whose data-live-job /
 * data-live-execution (when present) match the event. No polling: nothing refreshes without an event.
 */
(function () {
  'use strict';
  var body = document.body;
  var url = body.getAttribute('data-events');
  var indicator = document.getElementById('live');
  var dirty = {};
  var inflight = {};
  var timer = null;

  function matches(el, ev) {
    if (!ev) return true;
    var kinds = (el.getAttribute('data-live-on') || '').split(',');
    // Stored step log lines refresh only the regions that show logs ("log"), not every execution region.
    var kind = ev.type === 'execution.step.log' ? 'log' : ev.type.split('.')[0];
    if (kinds.indexOf(kind) < 0) return false;
    var job = el.getAttribute('data-live-job');
    if (job && ev.job_id && ev.job_id !== job) return false;
    var exec = el.getAttribute('data-live-execution');
    if (exec && ev.execution_id && ev.execution_id !== exec) return false;
    return true;
  }

  function load(id) {
    var el = document.getElementById(id);
    if (!el || !window.htmx) return;
    inflight[id] = true;
    // The region is its own source: htmx drops a request whose source already has one in flight,
    // so a shared source (the body, htmx's default) would lose refreshes.
    window.htmx.ajax('GET', el.getAttribute('data-live'), { source: el, target: el, swap: 'outerHTML' }).then(done, done);
    function done() {
      inflight[id] = false;
      if (dirty[id]) schedule();
    }
  }

  function flush() {
    timer = null;
    Object.keys(dirty).forEach(function (id) {
      if (!dirty[id] || inflight[id]) return;
      dirty[id] = false;
      load(id);
    });
  }

  function schedule() {
    if (!timer) timer = setTimeout(flush, 150);
  }

  function refresh(ev) {
    var regions = document.querySelectorAll('[data-live]');
    for (var i = 0; i < regions.length; i++) {
      if (regions[i].id && matches(regions[i], ev)) dirty[regions[i].id] = true;
    }
    schedule();
  }

  // "Reconnecting" shows only when the stream stays down for a while: EventSource reconnects by
  // itself, and a badge that flickers on every short break (a proxy timeout, a deploy) alarms for nothing.
  var OFFLINE_AFTER_MS = 3000;
  var offlineTimer = null;
  function show(on) {
    if (!indicator) return;
    indicator.className = on ? 'live on' : 'live off';
    indicator.textContent = indicator.getAttribute(on ? 'data-on' : 'data-off');
  }
  function setLive(on) {
    if (on) {
      if (offlineTimer) clearTimeout(offlineTimer);
      offlineTimer = null;
      show(true);
    } else if (!offlineTimer) {
      offlineTimer = setTimeout(function () { offlineTimer = null; show(false); }, OFFLINE_AFTER_MS);
    }
  }

  // Actions answer with HX-Trigger: vecron-refresh so the page catches up at once.
  body.addEventListener('vecron-refresh', function () { refresh(null); });

  if (!url || !window.EventSource) return;
  var types = ['execution.created', 'execution.started', 'execution.step.started', 'execution.step.finished', 'execution.step.log',
    'execution.retrying', 'execution.finished', 'schedule.fired', 'schedule.skipped', 'job.updated'];
  var source = new EventSource(url);
  source.addEventListener('open', function () { setLive(true); });
  source.addEventListener('error', function () { setLive(false); });
  source.addEventListener('ready', function () { setLive(true); });
  types.forEach(function (type) {
    source.addEventListener(type, function (msg) {
      var data = {};
      try { data = JSON.parse(msg.data); } catch { /* keep the empty event */ }
      data.type = type;
      refresh(data);
    });
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
