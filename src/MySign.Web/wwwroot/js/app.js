// MySign's own script: conveniences over pages that work without it (the CSP allows scripts from this origin only).
(function () {
  'use strict';

  // Buttons that need this script (show/hide a PIN, close the assistant) are drawn hidden; with it they appear.
  function enable(root) {
    (root || document).querySelectorAll('[data-js][hidden]').forEach(function (b) { b.hidden = false; });
  }

  // On a phone a wide table scrolls inside its own box (app.css); a keyboard user must be able to reach it to scroll,
  // so a table that overflows takes the focus (and gives it up again when the screen is wide enough), and the line
  // before it that says it scrolls sideways (data-scroll-hint) shows only then.
  function scrollables(root) {
    (root || document).querySelectorAll('table').forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls) table.setAttribute('tabindex', '0');
      else if (table.getAttribute('tabindex') === '0') table.removeAttribute('tabindex');
      var hint = table.previousElementSibling;
      if (hint && hint.hasAttribute('data-scroll-hint')) hint.hidden = !scrolls;
    });
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

  // Passkeys (WebAuthn). A form with a passkey field (data-passkey: the OTP challenge id) or data-passkey-create is
  // held on submit: the browser makes the assertion and/or the new credential, they go into the form as JSON, and the
  // form is submitted again (to htmx or the browser). The assertion's challenge is SHA-256 of the server's prefix and
  // the binding: the form's data-passkey-binding, or "1:" + the hex SHA-256 of its data-passkey-bind file, so the
  // passkey confirms exactly this operation and this document.
  function b64u(buffer) {
    var bytes = new Uint8Array(buffer), text = '';
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function unb64u(text) {
    var s = atob(text.replace(/-/g, '+').replace(/_/g, '/')), bytes = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
    return bytes.buffer;
  }
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  async function binding(form) {
    var file = form.querySelector('input[type=file][data-passkey-bind]');
    if (file && file.files && file.files[0]) return '1:' + hex(await crypto.subtle.digest('SHA-256', await file.files[0].arrayBuffer()));
    return form.getAttribute('data-passkey-binding') || '';
  }
  async function assertion(form, field) {
    var answer = await fetch('/otp/passkey/' + encodeURIComponent(field.getAttribute('data-passkey')), { credentials: 'same-origin' });
    if (!answer.ok) throw new Error('challenge');
    var request = await answer.json();
    var challenge = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(request.prefix + await binding(form)));
    var credential = await navigator.credentials.get({ publicKey: {
      challenge: challenge, rpId: request.rpId, timeout: request.timeout, userVerification: 'preferred',
      allowCredentials: request.allow.map(function (id) { return { type: 'public-key', id: unb64u(id) }; }) } });
    var r = credential.response;
    return JSON.stringify({ id: credential.id, rawId: b64u(credential.rawId), type: credential.type, clientExtensionResults: {},
      response: { authenticatorData: b64u(r.authenticatorData), clientDataJSON: b64u(r.clientDataJSON), signature: b64u(r.signature),
        userHandle: r.userHandle ? b64u(r.userHandle) : null } });
  }
  async function creation(options) {
    var o = JSON.parse(options);
    o.challenge = unb64u(o.challenge);
    o.user.id = unb64u(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = unb64u(c.id); });
    var credential = await navigator.credentials.create({ publicKey: o });
    var r = credential.response;
    return JSON.stringify({ id: credential.id, rawId: b64u(credential.rawId), type: credential.type, clientExtensionResults: {},
      response: { attestationObject: b64u(r.attestationObject), clientDataJSON: b64u(r.clientDataJSON),
        transports: r.getTransports ? r.getTransports() : [] } });
  }
  document.addEventListener('submit', async function (e) {
    var form = e.target;
    var field = form.querySelector('[data-passkey]');
    var create = form.getAttribute('data-passkey-create');
    if (!field && !create) return;
    if (form.getAttribute('data-passkey-ready')) { form.removeAttribute('data-passkey-ready'); return; }
    e.preventDefault();
    e.stopImmediatePropagation();
    var failed = form.querySelector('[data-passkey-error]');
    if (failed) failed.hidden = true;
    try {
      if (field) field.querySelector('input[name=code]').value = await assertion(form, field);
      if (create) form.querySelector('input[name=attestation]').value = await creation(create);
    } catch (err) {
      if (failed) failed.hidden = false;
      // The server says what went wrong with a missing credential (the name field's message), so a refused
      // creation still goes back to it; a refused assertion stays here for another try.
      if (field || !create) return;
    }
    form.setAttribute('data-passkey-ready', '1');
    form.requestSubmit();
  }, true);

  document.addEventListener('DOMContentLoaded', function () { enable(document); scrollables(document); });
  document.addEventListener('htmx:load', function (e) { enable(e.target); scrollables(e.target.parentNode || document); });
  var resizing;
  window.addEventListener('resize', function () { clearTimeout(resizing); resizing = setTimeout(function () { scrollables(document); }, 150); });
})();
