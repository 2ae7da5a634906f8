/* global document, window, CSS */
/*
 * vecron job editor. The server draws the form builder and the JSON editor and answers every edit
 * (POST /editor/sync, debounced) with the validation problems, each naming the JSON path of its
 * field. This script puts each problem at its field (the control with that path, else the nearest
 * enclosing group) and gives the focus back to the control the user was on when the form is redrawn.
 */
(function () {
  'use strict';
  var lastFocus = null;

  function byPath(path) {
    return document.querySelector('#editor-form [data-path="' + CSS.escape(path) + '"]');
  }

  /** The field of a path, or of its nearest parent path that has one. */
  function fieldOf(path) {
    var p = path;
    while (p) {
      var el = byPath(p);
      if (el) return el;
      var cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) break;
      p = p.slice(0, cut);
    }
    return null;
  }

  function placeIssues() {
    var form = document.getElementById('editor-form');
    if (!form) return;
    form.querySelectorAll('.field-error.live').forEach(function (el) { el.remove(); });
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (el) {
      el.removeAttribute('aria-invalid');
      el.removeAttribute('aria-describedby');
    });
    var items = document.querySelectorAll('#editor-issues li[data-kind="error"]');
    items.forEach(function (li, i) {
      var field = fieldOf(li.getAttribute('data-path'));
      if (!field) return;
      var msg = document.createElement('p');
      msg.className = 'field-error live';
      msg.id = 'issue-' + i;
      msg.setAttribute('data-issue-path', li.getAttribute('data-path'));
      msg.textContent = li.textContent.replace(li.querySelector('code') ? li.querySelector('code').textContent : '', '').trim();
      var control = field.querySelector(':scope > input, :scope > select, :scope > textarea');
      if (control) {
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', msg.id);
      }
      field.appendChild(msg);
    });
  }

  document.addEventListener('focusin', function (e) {
    if (e.target && e.target.id && e.target.closest && e.target.closest('#job-editor')) lastFocus = e.target.id;
  });
  document.addEventListener('htmx:afterSettle', function () {
    placeIssues();
    var active = document.activeElement;
    if (lastFocus && (!active || active === document.body)) {
      var el = document.getElementById(lastFocus);
      if (el) el.focus();
    }
  });
  document.addEventListener('htmx:oobAfterSwap', placeIssues);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', placeIssues);
  else placeIssues();
  window.vecronEditor = { placeIssues: placeIssues };
})();
