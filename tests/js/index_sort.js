// Minimal DOM stub for index.js: rows from argv[3] (JSON), then sort, filter, print results.
const data = JSON.parse(process.argv[3]);
function cell(text, sort) { return { textContent: text, getAttribute: (a) => a === "data-sort" ? (sort === undefined ? null : String(sort)) : null }; }
const rows = data.map(d => ({ cells: [cell(d.name, d.key), cell(d.amount + " kr.", d.amount), cell("HTML (" + d.name + ")", d.note)], textContent: d.name + " " + d.amount + " kr. HTML (" + d.name + ")", hidden: false, getAttribute: (a) => a === "data-search" ? d.search : null }));
const body = { rows: rows.slice(), appendChild(r) { this.rows.splice(this.rows.indexOf(r), 1); this.rows.push(r); } };
const listeners = {};
const ths = ["Kommune", "Tilskud", "Notat"].map((label, i) => ({ attrs: {}, textContent: label, getAttribute(a) { return this.attrs[a] || null; }, setAttribute(a, v) { this.attrs[a] = v; }, removeAttribute(a) { delete this.attrs[a]; }, querySelector: () => ({ addEventListener(e, f) { listeners[e + i] = f; } }) }));
ths[0].attrs["aria-sort"] = "ascending";  // as written: sorted by name
const table = { tBodies: [body], tHead: { rows: [{ cells: ths }] } };
const filter = { value: "", addEventListener(e, f) { listeners.filter = f; } };
const count = { textContent: "" };
global.document = { getElementById: (id) => ({ kommuner: table, filter, count })[id] };
require(process.argv[2]);
const names = () => body.rows.map(r => r.cells[0].textContent).join(", ");
const shown = () => rows.filter(r => !r.hidden).map(r => r.cells[0].textContent).join(", ");
listeners.click1(); console.log("by amount asc: " + names() + " | " + count.textContent);
listeners.click1(); console.log("by amount desc: " + names());
listeners.click2(); console.log("by notat asc: " + names());
listeners.click0(); console.log("by name asc: " + names());
listeners.click0(); console.log("by name desc: " + names() + " | " + count.textContent);
for (const q of process.argv.slice(4)) { filter.value = q; listeners.filter(); console.log("filter " + q + ": " + shown() + " | " + count.textContent); }
