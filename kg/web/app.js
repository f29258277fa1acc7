// The query page: POST the query to /sparql, show the rows as a table, and ask
// /render for the same result drawn as an SVG diagram. No build step.
"use strict";

const PREFIXES = {
  "kgo:": "https://w3id.org/newskg/ontology#",
  "kgr:": "https://w3id.org/newskg/resource/",
  "rdf:": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
  "rdfs:": "http://www.w3.org/2000/01/rdf-schema#",
  "skos:": "http://www.w3.org/2004/02/skos/core#",
  "owl:": "http://www.w3.org/2002/07/owl#",
  "xsd:": "http://www.w3.org/2001/XMLSchema#",
  "wd:": "http://www.wikidata.org/entity/",
};

const $ = (id) => document.getElementById(id);

function compact(iri) {
  for (const [p, ns] of Object.entries(PREFIXES)) {
    if (iri.startsWith(ns)) return p + iri.slice(ns.length);
  }
  return "<" + iri + ">";
}

function show(term) {
  if (!term) return "";
  if (term.type === "uri") return compact(term.value);
  if (term.type === "bnode") return "_:" + term.value;
  return term.value;
}

// N-Triples, one triple a line, as SPARQL JSON terms (for CONSTRUCT and DESCRIBE)
const NT_TERM = /^(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?)\s*/;
function ntTerm(text) {
  if (text.startsWith("<")) return { type: "uri", value: text.slice(1, -1) };
  if (text.startsWith("_:")) return { type: "bnode", value: text.slice(2) };
  const end = text.lastIndexOf('"');
  return { type: "literal", value: JSON.parse(text.slice(0, end + 1)) };
}
function parseNTriples(body) {
  const rows = [];
  for (let line of body.split("\n")) {
    line = line.trim();
    if (!line || line.startsWith("#")) continue;
    const row = {};
    for (const name of ["subject", "predicate", "object"]) {
      const m = NT_TERM.exec(line);
      if (!m) break;
      row[name] = ntTerm(m[1]);
      line = line.slice(m[0].length);
    }
    rows.push(row);
  }
  return { head: { vars: ["subject", "predicate", "object"] }, results: { bindings: rows } };
}

function fillTable(data) {
  const thead = $("results").tHead, tbody = $("results").tBodies[0];
  thead.replaceChildren();
  tbody.replaceChildren();
  const vars = data.head.vars || ["boolean"];
  const bindings = data.results ? data.results.bindings : [{ boolean: { type: "literal", value: String(data.boolean) } }];
  const hr = thead.insertRow();
  for (const v of vars) {
    const th = document.createElement("th");
    th.textContent = v;
    hr.appendChild(th);
  }
  for (const b of bindings) {
    const tr = tbody.insertRow();
    for (const v of vars) tr.insertCell().textContent = show(b[v]);
  }
  $("table-section").hidden = false;
  return bindings.length;
}

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function post(path, query, accept) {
  return fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
    body: new URLSearchParams({ query }),
  });
}

async function draw(query) {
  const box = $("diagram");
  box.replaceChildren();
  const resp = await post("/render", query, "image/svg+xml");
  if (!resp.ok) {
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = "No diagram: " + (await resp.text()).trim();
    box.appendChild(p);
  } else {
    const img = document.createElement("img");
    img.alt = "the query result drawn as a network";
    img.id = "diagram-image";
    img.src = URL.createObjectURL(await resp.blob());
    box.appendChild(img);
  }
  $("diagram-section").hidden = false;
}

async function run(event) {
  if (event) event.preventDefault();
  const query = $("query").value;
  status("Running…");
  $("table-section").hidden = true;
  $("diagram-section").hidden = true;
  const started = performance.now();
  let resp;
  try {
    resp = await post("/sparql", query, "application/sparql-results+json, application/n-triples;q=0.9");
  } catch (e) {
    status("The server did not answer: " + e, true);
    return;
  }
  const body = await resp.text();
  if (!resp.ok) {
    status(`Error ${resp.status}: ${body.trim()}`, true);
    return;
  }
  const type = resp.headers.get("Content-Type") || "";
  const data = type.startsWith("application/n-triples") ? parseNTriples(body) : JSON.parse(body);
  const n = fillTable(data);
  const ms = Math.round(performance.now() - started);
  status(`${n} row${n === 1 ? "" : "s"} in ${ms} ms`);
  if ($("draw").checked && data.results) await draw(query);
  document.body.dataset.done = String(Date.now());
}

$("form").addEventListener("submit", run);
$("query").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e);
});
