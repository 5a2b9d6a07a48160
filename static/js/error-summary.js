// EnvReg: when a form comes back with errors, move the focus to the summary at its top
// (templates/includes/_error_summary.html) so that a screen reader reads it and a
// keyboard starts there; a link in the summary moves the focus to its field.
// Loaded with <script defer>: the page is parsed when this runs. No inline script.
// EnvReg.errorSummary(summary) does the same for a summary put in the page later
// (static/js/offline-visits.js shows the server's answer in place).
(function () {
  "use strict";
  function setUp(summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) {
        return;
      }
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }
  window.EnvReg = window.EnvReg || {};
  window.EnvReg.errorSummary = setUp;
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    setUp(summary);
  }
})();
