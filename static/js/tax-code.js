// EnvReg: check a tax code as it is typed (templates/compliance/office/enterprise_form.html).
// Asks /enterprises/tax-code/?value= whether it is valid, its stored form, and whether an
// enterprise already has it (then links to it). Only a help: the form checks the same on
// submit, so the page works without this script. Loaded with <script defer>; no inline script.
(function () {
  "use strict";
  var input = document.querySelector("input[data-tax-code]");
  var out = document.getElementById("tax-code-check");
  if (!input || !out) {
    return;
  }
  var timer = null;
  var asked = "";

  function show(text, ok, link) {
    out.textContent = text;
    out.className = "tax-code-check" + (text ? (ok ? " ok" : " bad") : "");
    if (link) {
      var a = document.createElement("a");
      a.href = link.url;
      a.textContent = out.dataset.open + ": " + link.name;
      out.appendChild(document.createTextNode(" "));
      out.appendChild(a);
    }
  }

  function check() {
    var value = input.value.trim();
    if (value === asked) {
      return;
    }
    asked = value;
    if (value.replace(/[^0-9]/g, "").length < 10) {
      show("", true, null);
      return;
    }
    var url = out.dataset.url + "?value=" + encodeURIComponent(value);
    if (out.dataset.exclude) {
      url += "&exclude=" + encodeURIComponent(out.dataset.exclude);
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || value !== asked) {
          return;
        }
        if (!data.valid) {
          show(data.message, false, null);
        } else if (data.existing) {
          show(data.message, false, data.existing);
        } else {
          show(out.dataset.ok + ": " + data.normalized, true, null);
        }
      })
      .catch(function () { show("", true, null); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  input.addEventListener("blur", check);
  // A value already there (the form came back, or the browser filled it in) is checked too.
  if (input.value) {
    check();
  }
})();
