/* The query editor: YASQE + YASR from the YASGUI build, set up for this graph.
   - the predeclared prefixes count as declared (no "Prefix 'nio' is not defined");
   - edits persist in localStorage; ?query=… (the page's config) wins over them;
   - result IRIs of the dataset link to this site's pages and show their labels;
   - literals show their value only (no ^^xsd:… datatype);
   - the endpoint's parse errors are shown with line and column, and the line is marked. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  var Yasqe = Yasgui.Yasqe;
  var Yasr = Yasgui.Yasr;
  var labels = {};

  // 1. The SPARQL mode starts with the predeclared prefixes already known.
  var factory = Yasqe.modes && Yasqe.modes.sparql11;
  if (factory) {
    Yasqe.defineMode("sparql11", function (cmConfig, modeConfig) {
      var mode = factory(cmConfig, modeConfig);
      var start = mode.startState;
      mode.startState = function () {
        var state = start.apply(mode, arguments);
        state.prefixes = Object.assign({}, config.prefixes, state.prefixes);
        return state;
      };
      return mode;
    });
  }
  // Only the variable autocompleter: the others ask services outside this server.
  Yasqe.defaults.autocompleters = ["variables"];

  // 2. Table cells: local links with labels for our IRIs, bare values for literals.
  function localHref(iri) {
    if (iri.indexOf(config.base) !== 0) return null;
    var rest = iri.slice(config.base.length);
    var hash = rest.indexOf("#");
    var doc = hash < 0 ? rest : rest.slice(0, hash);
    var fragment = hash < 0 ? "" : rest.slice(hash);
    return config.prefix + "/" + doc.split("/").map(encodeURIComponent).join("/") + fragment;
  }
  function compact(iri) {
    var best = "", name = iri;
    Object.keys(config.prefixes).forEach(function (p) {
      var ns = config.prefixes[p];
      if (iri.indexOf(ns) === 0 && ns.length > best.length) { best = ns; name = p + ":" + iri.slice(ns.length); }
    });
    return name;
  }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var Table = Yasr.plugins.table;
  Table.defaults.openIriInNewWindow = false;
  Table.prototype.getCellContent = function (binding) {
    if (binding.type === "uri") {
      var local = localHref(binding.value);
      var label = labels[binding.value];
      var text = label || compact(binding.value);
      var title = label ? ' title="' + esc(compact(binding.value)) + '"' : "";
      return '<div><a class="iri" href="' + esc(local || binding.value) + '"' + title + ">" + esc(text) + "</a></div>";
    }
    var lang = binding["xml:lang"] ? ' <small lang="en">@' + esc(binding["xml:lang"]) + "</small>" : "";
    return '<div><span class="nonIri">' + esc(binding.value) + lang + "</span></div>";
  };

  function iris(body) {
    var found = {};
    if (!body || !body.results || !body.results.bindings) return [];
    body.results.bindings.forEach(function (row) {
      Object.keys(row).forEach(function (v) {
        var b = row[v];
        if (b.type === "uri" && b.value.indexOf(config.base) === 0 && !(b.value in labels)) found[b.value] = true;
      });
    });
    return Object.keys(found).filter(function (i) { return !/[<>"{}|^`\\\s]/.test(i); }).slice(0, 500);
  }
  function fetchLabels(list) {
    if (!list.length) return Promise.resolve();
    var query = "SELECT ?s (SAMPLE(?l) AS ?label) WHERE { VALUES ?s { " +
      list.map(function (i) { return "<" + i + ">"; }).join(" ") +
      " } ?s rdfs:label|skos:prefLabel ?l FILTER(LANG(?l) = \"\" || LANGMATCHES(LANG(?l), \"en\")) } GROUP BY ?s";
    return fetch(config.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json" },
      body: "query=" + encodeURIComponent(query),
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      list.forEach(function (i) { labels[i] = labels[i] || null; });
      if (data) data.results.bindings.forEach(function (row) { labels[row.s.value] = row.label.value; });
    }).catch(function () { /* labels are a nicety: keep the compact IRIs */ });
  }

  // 3. The editor and the results.
  var yasqe = new Yasqe(document.getElementById("yasqe"), {
    persistenceId: "kg-sparql-editor",
    value: config.examples.length ? config.examples[0].query : "SELECT * WHERE {\n  ?s ?p ?o\n} LIMIT 25\n",
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    resizeable: true,
    editorHeight: "22rem",
  });
  if (config.query) yasqe.setValue(config.query);
  var input = yasqe.getInputField();
  if (input) input.setAttribute("aria-label", "SPARQL query");
  document.querySelectorAll("#yasqe .CodeMirror-scroll").forEach(function (el) { el.setAttribute("tabindex", "0"); });

  var yasr = new Yasr(document.getElementById("yasr"), {
    persistenceId: null,
    prefixes: config.prefixes,
    pluginOrder: ["table", "response"],
    defaultPlugin: "table",
  });

  // YASR's own controls: drop the help link to an outside site, give the unnamed ones a name.
  function tidyYasr() {
    document.querySelectorAll("#yasr .yasr_external_ref_btn").forEach(function (el) { el.remove(); });
    document.querySelectorAll("#yasr select:not([aria-label])").forEach(function (el) { el.setAttribute("aria-label", "Rows per page"); });
    document.querySelectorAll("#yasr input:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", el.getAttribute("placeholder") || el.parentElement.textContent.trim() || "option");
    });
  }
  tidyYasr();
  yasr.on("drawn", tidyYasr);
  yasr.on("change", tidyYasr);

  var errorBox = document.getElementById("query-error");
  var marked = null;
  function clearError() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    if (marked !== null) { yasqe.removeLineClass(marked, "background", "error-line"); marked = null; }
  }
  function showError(response) {
    var text = (response && response.response && response.response.text) || (response && response.message) || "The query failed.";
    var status = response && response.status ? " (HTTP " + response.status + ")" : "";
    var where = /(?:line\s*)?(\d+)\s*[:,]\s*(?:col(?:umn)?\s*)?(\d+)/i.exec(text);
    errorBox.innerHTML = "";
    var head = document.createElement("strong");
    head.textContent = where ? "Error at line " + where[1] + ", column " + where[2] + status + ":" : "Error" + status + ":";
    var body = document.createElement("pre");
    body.textContent = text.trim();
    errorBox.appendChild(head);
    errorBox.appendChild(body);
    errorBox.hidden = false;
    if (where) {
      marked = Math.max(0, parseInt(where[1], 10) - 1);
      yasqe.addLineClass(marked, "background", "error-line");
    }
  }
  yasqe.on("query", clearError);
  yasqe.on("queryResponse", function (_y, response, duration) {
    if (!response || response instanceof Error || response.status >= 400) {
      showError(response);
      return;
    }
    fetchLabels(iris(response.body)).then(function () { yasr.setResponse(response, duration); });
  });

  // 4. The example questions load their query (the links also work without JavaScript).
  document.querySelectorAll("nav.examples a[data-example]").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      yasqe.setValue(config.examples[parseInt(a.getAttribute("data-example"), 10)].query);
      clearError();
      yasqe.focus();
      document.getElementById("yasqe").scrollIntoView({ block: "nearest" });
    });
  });
  if (config.query) yasqe.query();
})();
