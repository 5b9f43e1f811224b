// The search page: runs the query in ?q= (or typed) through pagefind's index (public/pagefind/),
// in the browser, and lists each result with its episode, speaker and time, linking to the second.
//
// Every word shown comes from transcripts, notes or labels: it is set as text, never as markup.
// pagefind's excerpts are HTML (its <mark> around matches, < and > escaped): they are parsed
// by DOMParser, which runs nothing and loads nothing, and only their text and marks are kept.

const PAGE = 10; // results shown at a time

const root = document.getElementById("search");
const labels = root.dataset;
const form = document.getElementById("search-form");
const input = document.getElementById("search-query");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");

let pagefind = null;
let current = 0; // the latest search: an older one finishing late shows nothing
let pending = [];

function fill(label, values) {
  return label.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
}

function excerpt(html) {
  const fragment = document.createDocumentFragment();
  const parsed = new DOMParser().parseFromString(html, "text/html");
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) {
        fragment.append(child.textContent);
      } else if (child.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = child.textContent;
        fragment.append(mark);
      } else {
        walk(child);
      }
    }
  };
  walk(parsed.body);
  return fragment;
}

function paragraph(className, ...content) {
  const p = document.createElement("p");
  p.className = className;
  p.append(...content);
  return p;
}

function item(data) {
  const meta = data.meta || {};
  const li = document.createElement("li");
  li.className = `search-result search-${meta.kind || "page"}`;
  const link = document.createElement("a");
  link.className = "result-link";
  link.href = data.url;
  link.textContent = meta.title || data.url;
  li.append(paragraph("result-title", link));
  if (meta.kind === "sentence") {
    const time = document.createElement("time");
    time.dateTime = `PT${meta.start}S`;
    time.textContent = meta.time;
    const who = meta.speaker ? `${meta.speaker}, ` : "";
    li.append(paragraph("result-meta", `${who}${labels.at} `, time));
  } else if (meta.kind === "notes") {
    li.append(paragraph("result-meta", labels.notes));
  } else if (meta.kind === "person") {
    li.append(paragraph("result-meta", meta.role ? `${labels.person} · ${meta.role}` : labels.person));
  }
  li.append(paragraph("result-excerpt", excerpt(data.excerpt || "")));
  return li;
}

async function show(search) {
  const batch = pending.splice(0, PAGE);
  const found = await Promise.all(batch.map((result) => result.data()));
  if (search !== current) return;
  for (const data of found) list.append(item(data));
  more.hidden = pending.length === 0;
}

async function run(query) {
  const search = ++current;
  list.replaceChildren();
  more.hidden = true;
  pending = [];
  if (!query.trim()) {
    status.textContent = "";
    return;
  }
  status.textContent = labels.searching;
  try {
    if (!pagefind) {
      pagefind = await import(new URL(labels.bundle, document.baseURI).href);
      await pagefind.options({ excerptLength: 24 });
    }
    const response = await pagefind.search(query);
    if (search !== current) return;
    pending = response.results;
    const count = pending.length;
    const label = count === 0 ? labels.none : count === 1 ? labels.foundOne : labels.found;
    status.textContent = fill(label, { count, query });
    await show(search);
  } catch (error) {
    console.error(error);
    if (search === current) status.textContent = labels.failed;
  }
}

more.addEventListener("click", () => show(current));

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value;
  const address = new URL(window.location.href);
  address.searchParams.set("q", query);
  history.replaceState(null, "", address);
  run(query);
});

const asked = new URLSearchParams(window.location.search).get("q") || "";
input.value = asked;
if (asked) run(asked);
