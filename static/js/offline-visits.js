// EnvReg: a visit recorded in the field survives the field (docs/web.md, "Field workflow").
//
// On the visit form, a save is sent by this script instead of the browser. First the
// form's fields and chosen files are kept on the device (IndexedDB, files as Blobs),
// under the form's submission key; then they are sent. The entry is removed only when the
// server answers that the visit is saved. Without a connection, or when the login has
// expired (the answer is the login page, or a 403 refusing an old CSRF token), the entry
// stays and is listed as waiting; it is sent again when the connection returns, when a
// page with the list opens online, or with "Gửi ngay". The server makes one visit per
// submission key, so an entry sent twice still makes one. When the server finds errors,
// its page replaces the form and the chosen files are put back into the file input.
//
// Also here: "add a finding" without a round trip, "use my location", and the service
// worker (/sw.js) that lets the work list and the visit form open offline.
// Loaded with <script defer>; no inline script (strict CSP).
(function () {
  "use strict";

  var DB_NAME = "envreg-outbox";
  var STORE = "visits";
  var HEADER = "X-Visit-Outbox";
  var box = document.getElementById("outbox");
  if (!box || !window.indexedDB || !window.fetch) {
    return; // the page works as before: the browser posts the form
  }
  var loginUrl = box.getAttribute("data-login-url");
  // Entries belong to the account that saved them: another account signed in on the same
  // phone neither sees nor sends them (the server also refuses a mismatch, X-Visit-User).
  var userId = box.getAttribute("data-user");
  var sending = false;

  function text(name) {
    return box.getAttribute("data-text-" + name) || "";
  }

  // --- the outbox: IndexedDB, one record per submission key -------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          db.close();
          reject(transaction.error);
        };
      });
    });
  }

  function keep(entry) {
    return withStore("readwrite", function (store) {
      return store.put(entry);
    });
  }
  function forget(key) {
    return withStore("readwrite", function (store) {
      return store.delete(key);
    });
  }
  function entries() {
    return withStore("readonly", function (store) {
      return store.getAll();
    });
  }
  function entry(key) {
    return withStore("readonly", function (store) {
      return store.get(key);
    });
  }

  // --- the list of what waits -------------------------------------------------------
  function describeState(item) {
    return text(item.state === "login" ? "login" : item.state === "invalid" ? "invalid" : "waiting");
  }

  function button(label, onClick) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "secondary";
    element.textContent = label;
    element.addEventListener("click", onClick);
    return element;
  }

  function render() {
    return entries().then(function (items) {
      // The form on screen, back with its errors, is not listed again above itself.
      items = items.filter(function (item) {
        return item.user === userId && !(item.state === "invalid" && form && item.key === formKey());
      });
      var list = document.getElementById("outbox-list");
      list.textContent = "";
      box.hidden = items.length === 0;
      items.sort(function (a, b) {
        return a.savedAt < b.savedAt ? -1 : 1;
      });
      items.forEach(function (item) {
        var row = document.createElement("li");
        row.className = "outbox-item";
        row.setAttribute("data-state", item.state);
        row.setAttribute("data-key", item.key);
        var title = document.createElement("strong");
        title.textContent = item.facility;
        var when = document.createElement("span");
        when.textContent =
          " · " + item.visitedOn + (item.files.length ? " · " + text("files").replace("{count}", item.files.length) : "");
        var state = document.createElement("p");
        state.className = "outbox-state";
        state.textContent = describeState(item);
        var actions = document.createElement("div");
        actions.className = "actions";
        if (item.state === "invalid") {
          var open = document.createElement("a");
          open.className = "button secondary";
          open.href = item.formUrl + "#outbox-" + item.key;
          open.textContent = text("open");
          actions.appendChild(open);
        } else {
          actions.appendChild(
            button(text("send"), function () {
              flush();
            })
          );
        }
        if (item.state === "login") {
          var login = document.createElement("a");
          login.className = "button secondary";
          login.href = loginUrl;
          login.target = "_blank";
          login.rel = "noopener";
          login.textContent = text("login-link");
          actions.appendChild(login);
        }
        actions.appendChild(
          button(text("drop"), function () {
            if (window.confirm(text("drop-confirm"))) {
              forget(item.key).then(render);
            }
          })
        );
        row.appendChild(title);
        row.appendChild(when);
        row.appendChild(state);
        row.appendChild(actions);
        list.appendChild(row);
      });
    });
  }

  // --- sending ----------------------------------------------------------------------
  function csrfToken() {
    // The cookie, not the page's token: logging in again changes it (Django's
    // documented way for scripts; CSRF_COOKIE_HTTPONLY is off).
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return Promise.resolve(decodeURIComponent(match[1]));
    }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return Promise.resolve(field ? field.value : "");
  }

  function body(item, token) {
    var data = new FormData();
    item.fields.forEach(function (pair) {
      if (pair[0] !== "csrfmiddlewaretoken") {
        data.append(pair[0], pair[1]);
      }
    });
    data.append("csrfmiddlewaretoken", token);
    item.files.forEach(function (file) {
      data.append(file.field, file.blob, file.name);
    });
    return data;
  }

  function mark(item, state) {
    item.state = state;
    return keep(item).then(function () {
      return { state: state };
    });
  }

  // One entry: {sent, url} when the server saved it (the entry is gone), {state, html}
  // otherwise (the entry stays, with its state).
  function send(item) {
    return csrfToken().then(function (token) {
      var headers = {};
      headers[HEADER] = "1";
      headers["X-Visit-User"] = item.user;
      return fetch(item.url, {
        method: "POST",
        body: body(item, token),
        credentials: "same-origin",
        headers: headers,
      }).then(
        function (response) {
          var path = new URL(response.url, location.href).pathname;
          if ((response.redirected && path === loginUrl) || response.status === 403) {
            return mark(item, "login");
          }
          var type = response.headers.get("Content-Type") || "";
          if (response.ok && type.indexOf("application/json") === 0) {
            return response.json().then(function (answer) {
              return forget(item.key).then(function () {
                return { sent: true, url: answer.url };
              });
            });
          }
          if (response.ok) {
            return response.text().then(function (html) {
              return mark(item, "invalid").then(function (result) {
                result.html = html;
                return result;
              });
            });
          }
          return mark(item, "waiting"); // a server error: try again later
        },
        function () {
          return mark(item, "waiting"); // no connection
        }
      );
    });
  }

  // Every entry that can go, one after the other; the one of the form on screen, once
  // sent, opens its saved visit.
  function flush() {
    if (sending) {
      return Promise.resolve();
    }
    sending = true;
    return entries()
      .then(function (items) {
        var chain = Promise.resolve();
        items.sort(function (a, b) {
          return a.savedAt < b.savedAt ? -1 : 1; // in the order they were saved
        });
        var sent = 0;
        items.forEach(function (item) {
          if (item.state === "invalid" || item.user !== userId) {
            return;
          }
          chain = chain.then(function () {
            return send(item).then(function (result) {
              if (result.sent && form && formKey() === item.key) {
                location.assign(result.url);
              } else if (result.sent) {
                sent += 1;
              }
            });
          });
        });
        return chain.then(function () {
          return sent;
        });
      })
      .then(
        function (sent) {
          sending = false;
          if (sent && !form) {
            location.reload(); // the work list then shows the drafts just sent
            return;
          }
          return render();
        },
        function () {
          sending = false;
        }
      );
  }

  // --- the visit form -----------------------------------------------------------------
  var form = document.querySelector("form[data-outbox-form]");

  // An entry is one save of one opening of the form: its save key (a new one each time
  // the form opens, so two openings saved offline stay two entries; saved twice from the
  // same opening, the later save, which holds all of the earlier, replaces it).
  function formKey() {
    var field = form && form.querySelector("input[name=save_key]");
    return field ? field.value : "";
  }

  function uuid4() {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function status(message) {
    var region = document.getElementById("outbox-status");
    if (region) {
      region.textContent = message;
      region.hidden = !message;
    }
  }

  function entryFromForm(action, previous) {
    var data = new FormData(form);
    data.set("action", action);
    var fields = [];
    var files = [];
    data.forEach(function (value, name) {
      if (value instanceof File) {
        if (value.name || value.size) {
          files.push({ field: name, name: value.name, type: value.type, blob: value });
        }
      } else {
        fields.push([name, value]);
      }
    });
    var visited = form.querySelector("[name=visited_on]");
    return {
      key: formKey(),
      url: form.getAttribute("action") || location.pathname,
      formUrl: location.pathname,
      facility: form.getAttribute("data-facility"),
      visitedOn: visited ? visited.value : "",
      user: userId,
      fields: fields,
      files: files.length || !previous ? files : previous.files,
      savedAt: new Date().toISOString(),
      state: "waiting",
    };
  }

  function putFilesBack(item) {
    var input = form.querySelector("input[type=file]");
    if (!input || !item.files.length || !window.DataTransfer) {
      return;
    }
    var transfer = new DataTransfer();
    item.files.forEach(function (file) {
      transfer.items.add(new File([file.blob], file.name, { type: file.type }));
    });
    input.files = transfer.files;
    var note = document.getElementById("kept-files");
    if (note) {
      note.textContent = text("files-kept");
    }
  }

  function addFinding(focus) {
    var template = document.getElementById("finding-template");
    var total = form.querySelector("input[name=findings-TOTAL_FORMS]");
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, index).replace(/__number__/g, index + 1);
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    document.getElementById("findings").appendChild(row);
    total.value = index + 1;
    document.getElementById("no-findings").hidden = true;
    if (focus) {
      var first = row.querySelector("select, input, textarea");
      if (first) {
        first.focus();
      }
    }
    return row;
  }

  function fill(item) {
    var total = item.fields.filter(function (pair) {
      return pair[0] === "findings-TOTAL_FORMS";
    })[0];
    var wanted = total ? parseInt(total[1], 10) : 0;
    while (form.querySelectorAll("[data-finding]").length < wanted) {
      addFinding(false);
    }
    item.fields.forEach(function (pair) {
      var name = pair[0];
      if (name === "csrfmiddlewaretoken" || name === "action") {
        return;
      }
      var field = form.elements.namedItem(name);
      if (!field) {
        return;
      }
      if (field.type === "checkbox") {
        field.checked = true;
      } else {
        field.value = pair[1];
      }
    });
    putFilesBack(item);
  }

  // The server's page with errors takes the place of this one's main part; the chosen
  // files are put back, and the focus goes to the error summary.
  function showAnswer(html, item) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    var main = answer.querySelector("main");
    if (!main) {
      return;
    }
    document.querySelector("main").replaceWith(document.importNode(main, true));
    bindForm();
    putFilesBack(item);
    render();
    var summary = document.querySelector("[data-error-summary]");
    if (summary && window.EnvReg && window.EnvReg.errorSummary) {
      window.EnvReg.errorSummary(summary);
    }
  }

  function save(action, submitter) {
    var previousKey = formKey();
    var buttons = form.querySelectorAll("button[type=submit]");
    return entry(previousKey)
      .then(function (previous) {
        var item = entryFromForm(action, previous);
        return keep(item).then(function () {
          return item;
        });
      })
      .then(
        function (item) {
          buttons.forEach(function (b) {
            b.disabled = true;
          });
          return send(item).then(function (result) {
            buttons.forEach(function (b) {
              b.disabled = false;
            });
            if (result.sent) {
              location.assign(result.url);
            } else if (result.html) {
              showAnswer(result.html, item);
            } else {
              status(result.state === "login" ? text("login") : text("kept"));
              return render();
            }
          });
        },
        function () {
          // No IndexedDB here (a private window may refuse it): the browser posts it.
          form.setAttribute("data-outbox-off", "");
          form.requestSubmit(submitter);
        }
      );
  }

  function bindForm() {
    box = document.getElementById("outbox");
    form = document.querySelector("form[data-outbox-form]");
    if (!form) {
      return;
    }
    if (!document.getElementById("outbox-status")) {
      var region = document.createElement("p");
      region.id = "outbox-status";
      region.className = "outbox-status";
      region.setAttribute("role", "status");
      region.hidden = true;
      form.parentNode.insertBefore(region, form);
    }
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-outbox-off")) {
        return;
      }
      event.preventDefault();
      var submitter = event.submitter;
      var action = submitter && submitter.name === "action" ? submitter.value : "draft";
      if (action === "add_finding") {
        addFinding(true);
        return;
      }
      status("");
      save(action, submitter);
    });
    var locate = document.getElementById("use-location");
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        var said = document.getElementById("location-status");
        said.textContent = text("location-wait");
        navigator.geolocation.getCurrentPosition(
          function (position) {
            form.elements.namedItem("location-latitude").value = position.coords.latitude.toFixed(6);
            form.elements.namedItem("location-longitude").value = position.coords.longitude.toFixed(6);
            said.textContent = text("location-done").replace(
              "{metres}",
              Math.round(position.coords.accuracy)
            );
          },
          function () {
            said.textContent = text("location-denied");
          },
          { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 }
        );
      });
    }
  }

  bindForm();
  if (form && location.hash.indexOf("#outbox-") === 0) {
    // "Open to correct": the form as it was saved, keys included.
    entry(location.hash.slice("#outbox-".length)).then(function (item) {
      if (item) {
        fill(item);
      }
    });
  } else if (form && !form.querySelector("[data-error-summary]")) {
    // A page opened from the device's cache holds the keys of an earlier opening: this
    // opening gets its own, so two visits (or two saves) recorded offline stay two.
    form.querySelector("input[name=save_key]").value = uuid4();
    if (form.hasAttribute("data-new-visit")) {
      form.querySelector("input[name=submission_key]").value = uuid4();
    }
  }

  render().then(function () {
    if (navigator.onLine) {
      flush();
    }
  });
  window.addEventListener("online", function () {
    flush();
  });

  if ("serviceWorker" in navigator && box.getAttribute("data-service-worker")) {
    navigator.serviceWorker.register(box.getAttribute("data-service-worker"), { scope: "/" }).catch(function () {
      // Without it the pages do not open offline; what is typed is still kept.
    });
  }
})();
