{% load static %}// EnvReg's service worker (served at /sw.js by inspections.views.service_worker, so
// that its scope is the whole site; docs/web.md, "Field workflow").
//
// The work list and the visit form pages open without a connection: the stylesheets
// and scripts are kept when installed, and those pages are kept each time they open
// online (network first, the kept copy only when the network fails), until someone signs
// in or out. Nothing else is kept; posts are not answered here
// (static/js/offline-visits.js keeps what is typed).
"use strict";

var CACHE = "envreg-{{ version }}";
// The pages kept are one account's: forgotten when anyone signs in or out.
var PAGES = "envreg-pages";
var SIGN_IN_OUT = ["{{ login_url|escapejs }}", "{{ logout_url|escapejs }}"];
var SHELL = {{ shell_json|safe }};
var FIELD_PAGES = [/^\/worklist\/$/, /^\/facilities\/\d+\/inspections\/new\/$/, /^\/inspections\/\d+\/edit\/$/];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(
        names.filter(function (name) {
          return name.indexOf("envreg-") === 0 && name !== CACHE && name !== PAGES;
        }).map(function (name) {
          return caches.delete(name);
        })
      );
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function isFieldPage(path) {
  return FIELD_PAGES.some(function (pattern) {
    return pattern.test(path);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && SIGN_IN_OUT.indexOf(url.pathname) !== -1) {
    event.waitUntil(caches.delete(PAGES)); // the request itself goes on untouched
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(
      caches.match(request).then(function (kept) {
        return kept || fetch(request);
      })
    );
    return;
  }
  if (request.mode === "navigate" && isFieldPage(url.pathname)) {
    event.respondWith(
      fetch(request).then(function (response) {
        // A login page reached by a redirect is not the page asked for: not kept.
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(PAGES).then(function (cache) {
            cache.put(request, copy);
          });
        }
        return response;
      }).catch(function () {
        return caches.open(PAGES).then(function (cache) {
          return cache.match(request, { ignoreSearch: true });
        }).then(function (kept) {
          return kept || Response.error();
        });
      })
    );
  }
});
