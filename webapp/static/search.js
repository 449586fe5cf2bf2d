// Arkhiv's search page, made a little nicer. Everything here is optional: every control is a
// plain link or form that works without this file.
(function () {
  "use strict";

  var NARROW = window.matchMedia("(max-width: 51.99em)");
  var FILTER_ABOVE = 8;

  function isTyping(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // "/" focuses the search box, as on many sites.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    var box = document.getElementById("q");
    if (box) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });

  // A filter box over long facet lists: typing narrows the values shown.
  function addFacetFilters(root) {
    root.querySelectorAll(".facet").forEach(function (facet) {
      var items = facet.querySelectorAll(".facet-values li");
      if (items.length <= FILTER_ABOVE || facet.querySelector(".facet-filter")) return;
      var heading = facet.querySelector("h2");
      var id = "filter-" + facet.getAttribute("data-facet");
      var label = document.createElement("label");
      label.className = "visually-hidden";
      label.htmlFor = id;
      label.textContent = (document.documentElement.lang === "uk" ? "Фільтр: " : "Filter: ") + heading.textContent;
      var input = document.createElement("input");
      input.type = "search";
      input.id = id;
      input.className = "facet-filter";
      input.placeholder = document.documentElement.lang === "uk" ? "Фільтрувати…" : "Filter…";
      input.addEventListener("input", function () {
        var wanted = input.value.trim().toLocaleLowerCase();
        var more = facet.querySelector(".more-values");
        if (more && wanted) more.open = true;
        items.forEach(function (item) {
          var text = item.querySelector(".facet-label").textContent.toLocaleLowerCase();
          item.hidden = wanted !== "" && text.indexOf(wanted) === -1;
        });
      });
      heading.after(label, input);
    });
  }

  // On a phone the filters start folded so the results come first.
  function foldRefine(root) {
    var refine = root.querySelector(".refine");
    if (refine && NARROW.matches) refine.open = false;
  }

  function enhance(root) {
    addFacetFilters(root);
  }

  // Facet, chip, bar, sort and page links load in place; the URL still changes (pushState), so
  // the view stays a link and back/forward work.
  function isSearchUrl(url) {
    return url.origin === location.origin && url.pathname === "/";
  }

  function load(url, push, focusSelector) {
    var landed = url; // a remove button's address redirects to the search it leaves
    document.documentElement.setAttribute("aria-busy", "true");
    return fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") === -1) throw new Error("not a page");
        landed = response.url || url;
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var main = document.querySelector("main");
        var refine = document.querySelector(".refine");
        var wasOpen = refine ? refine.open : true;
        var header = document.querySelector(".masthead");
        main.replaceChildren.apply(main, Array.from(fresh.querySelector("main").childNodes));
        header.replaceChildren.apply(header, Array.from(fresh.querySelector(".masthead").childNodes));
        document.title = fresh.title;
        if (push) history.pushState({ arkhiv: true }, "", landed);
        enhance(document);
        var newRefine = document.querySelector(".refine");
        if (newRefine) newRefine.open = wasOpen;
        var target = (focusSelector && document.querySelector(focusSelector)) || document.querySelector(".total") || main;
        if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: !push });
      })
      .catch(function () {
        location.href = url;
      })
      .finally(function () {
        document.documentElement.removeAttribute("aria-busy");
      });
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest("a[href]");
    if (!link || !link.closest("[data-live-region]")) return;
    var url = new URL(link.getAttribute("href"), location.href);
    if (!isSearchUrl(url)) return;
    event.preventDefault();
    var facet = link.closest(".facet");
    var focusSelector = facet ? "#facet-" + facet.getAttribute("data-facet") : null;
    load(url.href, true, focusSelector);
  });

  // The date form, and the buttons that take a chosen filter away (chips, chosen facet values:
  // they submit the one form that holds the search, with their own drop=<facet>:<value>).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var focusSelector = null;
    if (form.classList.contains("date-range")) {
      focusSelector = "#dates-heading";
    } else if (form.classList.contains("drop-filter")) {
      var facet = event.submitter && event.submitter.closest(".facet");
      if (facet) focusSelector = "#facet-" + facet.getAttribute("data-facet");
    } else {
      return;
    }
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    var url = new URL(form.getAttribute("action"), location.href);
    url.search = new URLSearchParams(data).toString();
    load(url.href, true, focusSelector);
  });

  window.addEventListener("popstate", function () {
    if (isSearchUrl(new URL(location.href))) load(location.href, false, null);
    else location.reload();
  });

  enhance(document);
  foldRefine(document);
})();
