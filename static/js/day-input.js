// EnvReg: date fields are typed as dd/mm/yyyy on the phone's number keyboard, which has
// no "/" (inspections.forms.DateInput, inputmode="numeric"): the slashes are added as
// the digits come. Without this script the eight digits alone (20112026) are accepted.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-day]")) {
      return;
    }
    if (event.inputType !== "insertText") {
      return; // deleting or pasting: leave what is there
    }
    if (/\/\/$/.test(input.value)) {
      input.value = input.value.slice(0, -1); // a keyboard with "/" typed it too
      return;
    }
    if (/^\d{2}$/.test(input.value) || /^\d{1,2}\/\d{2}$/.test(input.value)) {
      input.value += "/";
    }
  });
})();
