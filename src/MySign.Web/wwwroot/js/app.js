// MySign's own script: conveniences over pages that work without it (the CSP allows scripts from this origin only).
(function () {
  'use strict';

  // Buttons that need this script (show/hide a PIN, close the assistant) are drawn hidden; with it they appear.
  function enable(root) {
    (root || document).querySelectorAll('[data-js][hidden]').forEach(function (b) { b.hidden = false; });
  }

  function closePanel(id) {
    var panel = document.getElementById(id);
    if (!panel || !panel.firstElementChild) return;
    panel.replaceChildren();
    var opener = document.querySelector('[aria-controls="' + id + '"]');
    if (opener) opener.focus();
  }

  document.addEventListener('click', function (e) {
    var close = e.target.closest('[data-close]');
    if (close) { closePanel(close.getAttribute('data-close')); return; }
    if (e.target.closest('button[data-print]')) { window.print(); return; }
    var reveal = e.target.closest('button[data-reveal]');
    if (!reveal) return;
    var input = document.getElementById(reveal.getAttribute('data-reveal'));
    if (!input) return;
    var show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    reveal.setAttribute('aria-pressed', String(show));
    input.focus();
  });

  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') closePanel('trusty-panel');
  });

  document.addEventListener('DOMContentLoaded', function () { enable(document); });
  document.addEventListener('htmx:load', function (e) { enable(e.target); });
})();
