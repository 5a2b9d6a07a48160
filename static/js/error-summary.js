// EnvReg: when a form comes back with errors, move the focus to the summary at its top
// (templates/includes/_error_summary.html) so that a screen reader reads it and a
// keyboard starts there; a link in the summary moves the focus to its field.
// Loaded with <script defer>: the page is parsed when this runs. No inline script.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
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
})();
